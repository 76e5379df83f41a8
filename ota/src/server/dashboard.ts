/**
 * The operator dashboard: one static page that reads /api/v1/dashboard with the operator token the user
 * types (kept in sessionStorage only). Per-stage progress is drawn as stacked SVG bars. No build step.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Auriga OTA</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 12px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; }
  main { padding: 16px 20px; display: grid; gap: 16px; }
  section { background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; font-variant-numeric: tabular-nums; }
  .state { padding: 1px 6px; border-radius: 3px; background: #e4e7ec; font-size: 12px; }
  .state.running { background: #d3ecff; } .state.paused { background: #ffe9b8; } .state.completed { background: #d6f5d6; }
  .state.aborted, .state.rolled_back, .failed { background: #ffd6d6; }
  .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
  #error { color: #b00020; }
</style>
</head>
<body>
<header><h1>Auriga OTA fleet</h1><input id="token" type="password" placeholder="operator token" size="30"><button id="save">Use token</button></header>
<main>
  <div id="error"></div>
  <section><h2>Campaigns</h2>
    <div class="legend">progress per stage:<span style="background:#2e9d4f"></span>active<span style="background:#d64545"></span>failed / rolled back<span style="background:#3b82f6"></span>in progress<span style="background:#cfd5de"></span>not started</div>
    <div id="campaigns"></div></section>
  <section><h2>Releases</h2><table id="releases"></table></section>
  <section><h2>Vehicles</h2><table id="vehicles"></table></section>
</main>
<script>
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const when = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('ota-token') || '';
document.getElementById('save').onclick = () => { sessionStorage.setItem('ota-token', tokenInput.value); refresh(); };

function stageBars(p) {
  const w = 420, h = 18, gap = 6;
  const rows = p.stages.map((s, i) => {
    const total = Math.max(1, s.total);
    const parts = [[s.succeeded, '#2e9d4f'], [s.failed, '#d64545'], [s.inProgress, '#3b82f6'], [s.notStarted, '#cfd5de']];
    let x = 120;
    const y = i * (h + gap);
    const rects = parts.map(([n, color]) => {
      const width = (n / total) * w;
      const r = '<rect x="' + x + '" y="' + y + '" width="' + width + '" height="' + h + '" fill="' + color + '"><title>' + n + '</title></rect>';
      x += width;
      return r;
    }).join('');
    const label = 'stage ' + (i + 1) + ' (' + s.percent + '%)';
    const text = s.succeeded + '/' + s.total + ' ok, ' + s.failed + ' failed (limit ' + Math.round(s.failureThreshold * 100) + '%)';
    return '<text x="0" y="' + (y + 13) + '" font-size="12"' + (i === p.campaign.currentStage ? ' font-weight="bold"' : '') + '>' + esc(label) + '</text>' + rects +
      '<text x="' + (130 + w) + '" y="' + (y + 13) + '" font-size="12">' + esc(text) + '</text>';
  }).join('');
  const height = p.stages.length * (h + gap);
  return '<svg width="860" height="' + height + '" role="img" aria-label="rollout progress per stage">' + rows + '</svg>';
}

function render(d) {
  document.getElementById('campaigns').innerHTML = d.campaigns.length ? d.campaigns.map((p) =>
    '<div style="margin:10px 0"><b>' + esc(p.campaign.name) + '</b> <span class="state ' + esc(p.campaign.state) + '">' + esc(p.campaign.state) + '</span> ' +
    esc(p.campaign.releaseId) + (p.campaign.stateReason ? ' - ' + esc(p.campaign.stateReason) : '') +
    (p.rollback.total ? ' - rollback ' + p.rollback.done + '/' + p.rollback.total : '') + '<br>' + stageBars(p) + '</div>').join('') : 'none yet';
  document.getElementById('releases').innerHTML = '<tr><th>target</th><th>name</th><th>version</th><th>kind</th><th>size</th><th>published</th></tr>' +
    d.releases.map((r) => '<tr><td>' + esc(r.id) + '</td><td>' + esc(r.name) + '</td><td>' + esc(r.version) + '</td><td>' + esc(r.kind) + '</td><td>' +
      (r.length / 1048576).toFixed(1) + ' MiB</td><td>' + when(r.createdAt) + '</td></tr>').join('');
  document.getElementById('vehicles').innerHTML = '<tr><th>vehicle</th><th>group</th><th>hardware</th><th>service</th><th>last seen</th><th>last status</th><th>reason</th></tr>' +
    d.vehicles.map((v) => '<tr><td>' + esc(v.id) + '</td><td>' + esc(v.group) + '</td><td>' + esc(v.hardwareId) + '</td><td>' + esc(v.serviceVersion) + '</td><td>' +
      when(v.lastSeenAt) + '</td><td class="' + (v.lastStep === 'failed' || v.lastStep === 'rolled_back' ? 'failed' : '') + '">' + esc(v.lastStep) + '</td><td>' + esc(v.lastReason) + '</td></tr>').join('');
}

async function refresh() {
  const err = document.getElementById('error');
  try {
    const res = await fetch('/api/v1/dashboard', { headers: { authorization: 'Bearer ' + tokenInput.value } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || res.statusText);
    err.textContent = '';
    render(body);
  } catch (e) {
    err.textContent = 'cannot load: ' + e.message;
  }
}
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>
`;
