// Search ranking for the book: the chapters first, the API reference after the prose.
// Sphinx calls Scorer.score(result) for every result: [docname, title, anchor, descr, score, filename].
var Scorer = {
  score: function (result) {
    var docname = result[0], score = result[4];
    if (/^\d\d_/.test(docname)) return score + 30;             // a chapter
    if (/^api/.test(docname) || docname === "genindex") return score - 20;  // an API entry
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
