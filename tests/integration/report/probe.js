/* probe.js — injected by tests/integration/report_browser.sh into a copy of
 * a results page (never into the page abc writes), which a wrapper page
 * shows in an iframe of the width under test: after load it measures the
 * page as the browser laid it out and posts the findings as JSON to the
 * wrapper, which writes them into its DOM for `chromium --dump-dom`. */
(function () {
  function run() {
    var de = document.documentElement, W = window.innerWidth;
    var out = {width: W, scrollWidth: Math.max(de.scrollWidth, document.body.scrollWidth),
               errors: window.__abcErrors || [], title: document.title, overflowing: [],
               external: [], experiments: [], charts: [], details: 0, detailsOpen: 0, viewportMeta: false};
    var vm = document.querySelector('meta[name=viewport]');
    out.viewportMeta = !!(vm && /width=device-width/.test(vm.content));
    /* elements sticking out of the viewport, outside scrolling boxes */
    document.querySelectorAll('body *').forEach(function (el) {
      if (el.closest('.scroll') || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') return;
      var r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > W + 1 && out.overflowing.length < 10)
        out.overflowing.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right));
    });
    document.querySelectorAll('[src],link[href],[href]').forEach(function (el) {
      var u = el.getAttribute('src') || el.getAttribute('href');
      if (u && u.charAt(0) !== '#') out.external.push(u);
    });
    document.querySelectorAll('section.experiment').forEach(function (s) {
      var v = s.querySelector(':scope > .verdict'), h = s.querySelector(':scope > .health');
      var role = s.querySelector('section.role'), kids = Array.prototype.slice.call(s.children);
      var hr = h ? h.getBoundingClientRect() : null;
      out.experiments.push({
        key: s.getAttribute('data-tracking-key'),
        verdict: v ? v.getAttribute('data-verdict') : null,
        verdictText: v ? v.textContent : '',
        verdictColor: v ? getComputedStyle(v).borderLeftColor : '',
        variations: v ? Array.prototype.map.call(v.querySelectorAll('li[data-variation]'), function (li) {
          return {name: li.getAttribute('data-variation'), verdict: li.getAttribute('data-verdict'),
                  text: li.textContent};
        }) : [],
        health: h ? h.getAttribute('data-health') : null,
        healthText: h ? h.textContent : '',
        healthVisible: !!(hr && hr.width > 0 && hr.height > 0),
        healthRole: h ? h.getAttribute('role') : null,
        srm: h ? h.getAttribute('data-srm') : null, dq: h ? h.getAttribute('data-dq') : null,
        guardrail: h ? h.getAttribute('data-guardrail') : null,
        order: {verdict: kids.indexOf(v), health: kids.indexOf(h), firstRole: role ? kids.indexOf(role) : 99},
        roles: Array.prototype.map.call(s.querySelectorAll('section.role'), function (r) { return r.getAttribute('data-role'); }),
        metrics: s.querySelectorAll('article.metric').length,
        charts: s.querySelectorAll('svg.chart').length
      });
    });
    document.querySelectorAll('svg.chart').forEach(function (svg) {
      var r = svg.getBoundingClientRect(), box = svg.parentElement.getBoundingClientRect();
      var axes = svg.querySelectorAll('g.axis');
      var t = svg.querySelector('title'), d = svg.querySelector('desc');
      out.charts.push({
        cls: svg.getAttribute('class'),
        axes: axes.length,
        ticks: svg.querySelectorAll('g.axis line.tick').length,
        tickLabels: Array.prototype.filter.call(svg.querySelectorAll('g.axis text'), function (x) {
          return !x.classList.contains('axis-title') && x.textContent.trim(); }).length,
        axisTitle: Array.prototype.map.call(svg.querySelectorAll('.axis-title'), function (x) { return x.textContent; }),
        title: t ? t.textContent : '', desc: d ? d.textContent : '',
        labelledby: svg.getAttribute('aria-labelledby'), role: svg.getAttribute('role'),
        width: Math.round(r.width), boxWidth: Math.round(box.width), right: Math.round(r.right)
      });
    });
    /* the growth section: lines, bars (churned below the zero line, in the
     * layout), heatmap cells (the ratio as text) */
    var num = function (el, a) { return parseFloat(el.getAttribute(a)); };
    out.growth = {sections: document.querySelectorAll('section.growth').length,
                  lines: [], bars: [], heatmaps: []};
    document.querySelectorAll('svg.growth-lines').forEach(function (svg) {
      var l = {};
      svg.querySelectorAll('polyline.line').forEach(function (pl) {
        var m = pl.getAttribute('data-measure');
        l[m] = (l[m] || 0) + pl.getAttribute('points').trim().split(/\s+/).length;
      });
      out.growth.lines.push(l);
    });
    document.querySelectorAll('svg.growth-bars').forEach(function (svg) {
      var z = svg.querySelector('line.zero'), zr = z ? z.getBoundingClientRect() : null;
      var b = {cls: svg.getAttribute('class'), zeroTop: zr ? zr.top : null, rects: []};
      svg.querySelectorAll('rect.bar').forEach(function (r) {
        var br = r.getBoundingClientRect();
        b.rects.push({measure: r.getAttribute('data-measure'), value: num(r, 'data-value'),
                      top: br.top, bottom: br.bottom, height: br.height});
      });
      out.growth.bars.push(b);
    });
    document.querySelectorAll('svg.growth-heatmap').forEach(function (svg) {
      var h = {cls: svg.getAttribute('class'), cells: []};
      svg.querySelectorAll('g.cell').forEach(function (g) {
        var r = g.querySelector('rect'), t = g.querySelector('text');
        h.cells.push({ratio: num(g, 'data-ratio'), k: num(g, 'data-k'), text: t ? t.textContent : '',
                      opacity: r ? num(r, 'fill-opacity') : null, w: r ? r.getBoundingClientRect().width : 0});
      });
      out.growth.heatmaps.push(h);
    });
    out.details = document.querySelectorAll('details').length;
    out.detailsOpen = document.querySelectorAll('details[open]').length;
    parent.postMessage(JSON.stringify(out), '*');
  }
  if (document.readyState === 'complete') run(); else window.addEventListener('load', run);
})();
