// Live character count in the composer, before the server answers.
// Mirrors tribune/editorial/counting.py and rules.published_text; the count the
// server returns (htmx, a moment later) replaces this one and is the truth.
(function () {
  "use strict";
  var URL_RE = /(?:https?:\/\/|www\.)[^\s<>"]+?(?=[.,;:!?)\]'"]*(?:\s|$))/gi;
  var HASHTAG_RE = /(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;
  var REMOTE_MENTION_RE = /(?<![\p{L}\p{N}_@])@([\p{L}\p{N}_]+)@[\p{L}\p{N}_.-]+\.[\p{L}\p{N}_]+/gu;
  var PICTOGRAPH_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function clusters(text) {
    if (!segmenter) return Array.from(text);
    return Array.from(segmenter.segment(text), function (s) { return s.segment; });
  }
  function xWeight(cluster) {
    if (PICTOGRAPH_RE.test(cluster)) return 2;
    return Array.from(cluster).reduce(function (sum, ch) {
      var cp = ch.codePointAt(0);
      var light = LIGHT.some(function (r) { return cp >= r[0] && cp <= r[1]; });
      return sum + (light ? 1 : 2);
    }, 0);
  }
  var COUNT = {
    characters: function (t) { return Array.from(t.normalize("NFC")).length; },
    graphemes: function (t) { return clusters(t).length; },
    x_weighted: function (t) {
      t = t.normalize("NFC");
      var links = t.match(URL_RE) || [];
      var rest = t.replace(URL_RE, "");
      return 23 * links.length + clusters(rest).reduce(function (s, c) { return s + xWeight(c); }, 0);
    },
    mastodon: function (t) {
      return clusters(t.replace(URL_RE, "x".repeat(23)).replace(REMOTE_MENTION_RE, "@$1")).length;
    },
    utf8_bytes: function (t) { return new TextEncoder().encode(t).length; },
  };

  function field(section, name) {
    return section.querySelector('[name="' + section.dataset.prefix + "-" + name + '"]');
  }
  function words(value) {
    return value.replace(/,/g, " ").split(/\s+/).map(function (w) { return w.replace(/^#+/, ""); }).filter(Boolean);
  }
  function publishedText(section) {
    var text = (field(section, "text") || { value: "" }).value.replace(/\s+$/, "");
    var present = {};
    (text.match(HASHTAG_RE) || []).forEach(function (h) { present[h.slice(1).toLowerCase()] = true; });
    var extra = [];
    words((field(section, "hashtags") || { value: "" }).value).forEach(function (w) {
      if (!present[w.toLowerCase()]) { present[w.toLowerCase()] = true; extra.push("#" + w); }
    });
    var parts = text ? [text] : [];
    if (extra.length) parts.push(extra.join(" "));
    var link = (field(section, "link") || { value: "" }).value.trim();
    if (link && section.dataset.link === "appended" && text.indexOf(link) === -1) parts.push(link);
    return parts.join("\n");
  }
  function update(section) {
    var counter = COUNT[section.dataset.counting] || COUNT.characters;
    var n = counter(publishedText(section));
    var hasMedia = section.querySelector('[name="' + section.dataset.prefix + '-media"]:checked');
    var limit = parseInt((hasMedia && section.dataset.captionLimit) || section.dataset.limit, 10);
    var out = section.querySelector(".live-count");
    if (out) out.textContent = String(n);
    var line = section.querySelector(".variant-count");
    if (line && !isNaN(limit)) {
      line.classList.toggle("is-over", n > limit);
      var label = line.querySelector(".over-label");
      if (label) label.hidden = n <= limit;
    }
  }
  document.addEventListener("input", function (event) {
    var section = event.target.closest && event.target.closest("section.variant[data-counting]");
    if (section) update(section);
  });
})();
