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
    out.details = document.querySelectorAll('details').length;
    out.detailsOpen = document.querySelectorAll('details[open]').length;
    parent.postMessage(JSON.stringify(out), '*');
  }
  if (document.readyState === 'complete') run(); else window.addEventListener('load', run);
})();
