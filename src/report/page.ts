/**
 * The style and script of the report page. They are inlined and allowed by
 * their SHA-256 in the page's Content-Security-Policy, which forbids every
 * other source: the page loads nothing, from anywhere.
 */
export const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;font-size:14px}
header{background:#1f4e79;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
main{padding:0 24px 40px;max-width:1400px}
section{margin-top:28px}h2{font-size:18px;border-bottom:2px solid #2e75b6;padding-bottom:4px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dl.facts dt{font-weight:600}dl.facts dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f6f9}td.num{text-align:right}
.summaries{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
.graph{overflow:auto;border:1px solid #d0d7de;max-height:640px}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.s-affected,.r-fail,.gap{background:#fde2e1;color:#82071e}.s-fixed,.r-pass,.ok{background:#dafbe1;color:#116329}
.s-not_affected{background:#ddf4ff;color:#0a3069}.s-under_investigation,.r-warn,.r-skip{background:#fff8c5;color:#7d4e00}
.controls{display:flex;gap:8px;align-items:center;margin:8px 0}.controls input{flex:1;max-width:420px;padding:4px 8px}
td.mono,span.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
details{margin:6px 0}summary{cursor:pointer}
`;

/** Component table: search over every column, 50 rows a page. */
export const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('component-data').textContent);
  var rows = data.rows;
  var hay = rows.map(function (r) { return r.join('\\u0001').toLowerCase(); });
  var q = document.getElementById('component-search');
  var body = document.getElementById('components-body');
  var status = document.getElementById('table-status');
  var prev = document.getElementById('page-prev');
  var next = document.getElementById('page-next');
  var size = 50, page = 0, shown = rows;
  function render() {
    var start = page * size, end = Math.min(shown.length, start + size);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) {
      var tr = document.createElement('tr');
      for (var j = 0; j < shown[i].length; j++) {
        var td = document.createElement('td');
        td.textContent = shown[i][j];
        if (j >= 5 && j <= 6) td.className = 'mono';
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    status.textContent = (shown.length ? 'Showing ' + (start + 1) + '\\u2013' + end : 'Showing 0') + ' of ' + shown.length +
      (shown.length !== rows.length ? ' (filtered from ' + rows.length + ')' : '');
    status.setAttribute('data-matching', String(shown.length));
    prev.disabled = page === 0;
    next.disabled = end >= shown.length;
  }
  function filter() {
    var t = q.value.trim().toLowerCase();
    shown = t ? rows.filter(function (r, i) { return hay[i].indexOf(t) >= 0; }) : rows;
    page = 0;
    render();
  }
  q.addEventListener('input', filter);
  prev.addEventListener('click', function () { if (page > 0) { page--; render(); } });
  next.addEventListener('click', function () { if ((page + 1) * size < shown.length) { page++; render(); } });
  render();
})();
`;
