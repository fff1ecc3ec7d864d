// firmline web inbox: copy buttons, live updates over the WebSocket, relative ages, title
// count, optional sound and desktop notifications. Plain JS, no inline scripts (CSP 'self').
// Configuration comes from data- attributes on <body> and on the inbox list.
(function () {
  'use strict';

  var body = document.body;
  var STALE_MS = 10 * 60 * 1000;
  var baseTitle = document.title;
  var unread = 0;
  var known = {}; // message id -> highest seq seen (dedupe of live frames and replays)
  var lastSeq = parseInt(body.getAttribute('data-seq') || '0', 10) || 0;

  function signedOut() {
    window.location.assign('/login?signed_out=1');
  }

  // ---- relative ages and stale codes ----
  function ago(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 45) return 'just now';
    var m = Math.round(s / 60);
    if (m < 60) return m + ' min ago';
    var h = Math.round(m / 60);
    if (h < 24) return h + ' h ago';
    var d = Math.round(h / 24);
    return d === 1 ? 'yesterday' : d + ' days ago';
  }
  function refreshAges() {
    var now = Date.now();
    var els = document.querySelectorAll('time[data-age]');
    for (var i = 0; i < els.length; i++) {
      var t = Date.parse(els[i].getAttribute('datetime'));
      if (isNaN(t)) continue;
      els[i].textContent = ago(now - t);
      var card = els[i].closest('.card');
      if (card && card.hasAttribute('data-has-code')) {
        card.classList.toggle('stale', now - t > STALE_MS);
      }
    }
  }

  // ---- copy ----
  function fallbackCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'visually-hidden';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  function reportCopied(id) {
    return fetch('/api/v1/messages/' + encodeURIComponent(id) + '/copied', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}'
    }).then(function (r) { if (r.status === 401) signedOut(); }).catch(function () {});
  }
  function onCopy(btn) {
    var code = btn.getAttribute('data-copy');
    var label = btn.getAttribute('data-label') || btn.textContent;
    btn.setAttribute('data-label', label);
    copyText(code).then(function () {
      btn.textContent = 'Copied';
      btn.classList.add('copied');
      btn.setAttribute('data-copied', '1');
      var id = btn.getAttribute('data-id');
      if (id) reportCopied(id); // invitation links and tokens are not messages
    }, function () {
      btn.textContent = 'Select and copy';
    }).then(function () {
      setTimeout(function () { btn.textContent = label; btn.classList.remove('copied'); }, 2500);
    });
  }
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-copy]');
    if (btn) { ev.preventDefault(); onCopy(btn); }
  });

  // ---- modem status pill and banner ----
  function modemClass(st) {
    if (st.state === 'ready') return 'ok';
    if (st.state === 'disconnected' || st.state === 'no-sim' || st.state === 'no-network' || st.state === 'error') return 'bad';
    return 'warn';
  }
  function modemProblem(st) {
    switch (st.state) {
      case 'disconnected': return 'The modem ' + st.name + ' is disconnected: no codes can arrive. Check its USB cable and power.';
      case 'no-sim': return 'The modem ' + st.name + ' has no SIM card: no codes can arrive.';
      case 'no-network': return 'The modem ' + st.name + ' has no mobile network: codes will arrive when it is back.';
    }
    if (st.storage_total > 0 && st.storage_used >= st.storage_total) {
      return 'The SIM storage of ' + st.name + ' is full: new codes may be refused by the network.';
    }
    return '';
  }
  function updateModem(st) {
    if (!st || !st.name) return;
    var pills = document.querySelectorAll('[data-modem]');
    var pill = null;
    for (var i = 0; i < pills.length; i++) {
      if (pills[i].getAttribute('data-modem') === st.name) pill = pills[i];
    }
    if (!pill) {
      var tpl = document.getElementById('modem-template');
      var box = document.getElementById('modems');
      if (!tpl || !box) return;
      pill = tpl.content.firstElementChild.cloneNode(true);
      pill.setAttribute('data-modem', st.name);
      var none = box.querySelector('[data-no-modem]');
      if (none) none.remove();
      box.appendChild(pill);
    }
    pill.className = 'pill ' + modemClass(st);
    setField(pill, 'state', st.state || 'unknown');
    setField(pill, 'operator', st.operator || '');
    setField(pill, 'number', st.own_number || '');
    var bars = pill.querySelectorAll('.bars i');
    for (var b = 0; b < bars.length; b++) bars[b].classList.toggle('on', b < (st.signal_bars || 0));
    var sig = pill.querySelector('.bars');
    if (sig) sig.setAttribute('aria-label', 'signal ' + (st.signal_bars || 0) + ' of 5');
    var banner = document.querySelector('[data-modem-banner="' + cssEscape(st.name) + '"]');
    var problem = modemProblem(st);
    if (!banner && problem) {
      var wrap = document.getElementById('banners');
      if (!wrap) return;
      banner = document.createElement('div');
      banner.className = 'banner';
      banner.setAttribute('role', 'alert');
      banner.setAttribute('data-modem-banner', st.name);
      wrap.appendChild(banner);
    }
    if (banner) { banner.textContent = problem; banner.hidden = !problem; }
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'); }
  function setField(root, name, text) {
    var el = root.querySelector('[data-f="' + name + '"]');
    if (el) el.textContent = text;
    return el;
  }

  // ---- message cards ----
  var list = document.getElementById('messages');
  var cardTpl = document.getElementById('card-template');

  function matchesFilters(m) {
    if (!list) return false;
    var p = (list.getAttribute('data-filter-platform') || '').toLowerCase();
    var q = (list.getAttribute('data-filter-text') || '').toLowerCase();
    if (p && (m.platform || '').toLowerCase() !== p) return false;
    if (q && (m.text || '').toLowerCase().indexOf(q) < 0 && (m.sender || '').toLowerCase().indexOf(q) < 0) return false;
    return true;
  }
  function renderCard(m) {
    var li = cardTpl.content.firstElementChild.cloneNode(true);
    li.setAttribute('data-id', m.id);
    li.setAttribute('data-seq', String(m.seq || 0));
    var code = li.querySelector('[data-f="code"]');
    var copy = li.querySelector('button[data-copy]');
    if (m.code) {
      li.setAttribute('data-has-code', '');
      code.textContent = m.code;
      copy.setAttribute('data-copy', m.code);
      copy.setAttribute('data-id', m.id);
      copy.setAttribute('aria-label', 'Copy code ' + m.code);
    } else {
      code.textContent = 'no code found';
      code.classList.add('none');
      copy.remove();
    }
    setField(li, 'platform', m.platform || 'Unknown sender');
    setField(li, 'sender', m.sender || '');
    setField(li, 'text', m.text || '');
    var t = li.querySelector('time[data-age]');
    t.setAttribute('datetime', m.received_at);
    t.title = new Date(m.received_at).toLocaleString();
    var inc = li.querySelector('[data-f="incomplete"]');
    if (m.complete === false) {
      var got = m.parts_received;
      inc.textContent = got ? 'incomplete — ' + got + ' of ' + m.parts + ' parts' : 'incomplete — parts missing';
    } else {
      inc.remove();
    }
    var link = li.querySelector('a[data-f="link"]');
    if (link) link.href = '/messages/' + encodeURIComponent(m.id);
    return li;
  }
  function upsertCard(m) {
    if (!list || !cardTpl || list.getAttribute('data-live') !== '1' || !matchesFilters(m)) return false;
    var card = renderCard(m);
    var cards = list.querySelectorAll('.card[data-id]');
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].getAttribute('data-id') === m.id) {
        cards[i].replaceWith(card);
        refreshAges();
        return false;
      }
    }
    card.classList.add('new');
    var before = null;
    for (var j = 0; j < cards.length; j++) {
      if (cards[j].getAttribute('data-id') < m.id) { before = cards[j]; break; }
    }
    if (!before && cards.length > 0) return false; // older than this page: it belongs to a later page
    list.insertBefore(card, before);
    var empty = document.getElementById('empty');
    if (empty) empty.hidden = true;
    refreshAges();
    return true;
  }

  // ---- title count, sound, desktop notifications ----
  function setTitle() { document.title = unread > 0 ? '(' + unread + ') ' + baseTitle : baseTitle; }
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) { unread = 0; setTitle(); }
  });
  var audioCtx = null;
  function soundOn() { try { return localStorage.getItem('firmline.sound') === '1'; } catch (e) { return false; } }
  function beep() {
    if (!soundOn()) return;
    try {
      audioCtx = audioCtx || new (window.AudioContext || window.webkitAudioContext)();
      var o = audioCtx.createOscillator();
      var g = audioCtx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.15, audioCtx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, audioCtx.currentTime + 0.25);
      o.connect(g); g.connect(audioCtx.destination);
      o.start(); o.stop(audioCtx.currentTime + 0.25);
    } catch (e) { /* no audio: ignore */ }
  }
  function desktopNotify(m) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return;
    try {
      var n = new Notification((m.platform || 'New') + ' code', { body: m.code || 'A message arrived', tag: m.id });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (e) { /* some browsers only allow notifications from a service worker */ }
  }
  function setupToggles() {
    var s = document.querySelector('[data-sound-toggle]');
    if (s) {
      var paint = function () { s.setAttribute('aria-pressed', soundOn() ? 'true' : 'false'); s.textContent = soundOn() ? 'Sound: on' : 'Sound: off'; };
      paint();
      s.addEventListener('click', function () {
        try { localStorage.setItem('firmline.sound', soundOn() ? '0' : '1'); } catch (e) {}
        paint();
        beep();
      });
    }
    var nb = document.querySelector('[data-notify-toggle]');
    if (nb) {
      if (!('Notification' in window)) { nb.hidden = true; return; }
      var paintN = function () {
        nb.textContent = Notification.permission === 'granted' ? 'Desktop alerts: on' : 'Turn on desktop alerts';
        nb.disabled = Notification.permission !== 'default';
      };
      paintN();
      nb.addEventListener('click', function () { Notification.requestPermission().then(paintN); });
    }
  }

  // ---- the live stream ----
  var liveState = document.getElementById('live-state');
  var attempt = 0;
  var socket = null;

  function say(text) { if (liveState) liveState.textContent = text; }
  function onMessage(m, seq) {
    if (!m || !m.id) return;
    seq = seq || m.seq || 0;
    if (known[m.id] !== undefined && seq && seq <= known[m.id]) return;
    var isNew = known[m.id] === undefined && !document.querySelector('.card[data-id="' + cssEscape(m.id) + '"]');
    known[m.id] = seq;
    if (seq > lastSeq) lastSeq = seq;
    var inserted = upsertCard(m);
    if (isNew && (inserted || !list)) {
      say('Live: new ' + (m.platform ? m.platform + ' ' : '') + (m.code ? 'code' : 'message') + ' at ' + new Date().toLocaleTimeString() + '.');
      if (document.hidden) { unread++; setTitle(); }
      beep();
      desktopNotify(m);
    }
  }
  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === 'message') onMessage(f.message, f.seq);
    else if (f.type === 'modem') updateModem(f.modem || f);
    else if (f.type === 'resync' && list && list.getAttribute('data-live') === '1') window.location.reload();
    else if (f.type === 'signed_out' || f.type === 'revoked') signedOut();
  }
  function connect() {
    var path = body.getAttribute('data-stream');
    if (!path || !window.WebSocket) return;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path + '?since=' + lastSeq;
    socket = new WebSocket(url);
    socket.onopen = function () { attempt = 0; say('Live: new codes appear here as they arrive.'); };
    socket.onmessage = onFrame;
    socket.onclose = function (ev) {
      socket = null;
      if (ev.code === 4001) { signedOut(); return; }
      checkSession().then(scheduleReconnect);
    };
  }
  // checkSession asks the API whether the session is still valid, because a refused
  // WebSocket upgrade does not tell the page its status.
  function checkSession() {
    return fetch('/api/v1/status', { credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) signedOut();
    }, function () {});
  }
  function scheduleReconnect() {
    var base = Math.min(30000, 1000 * Math.pow(2, attempt));
    var wait = Math.round(base / 2 + Math.random() * base / 2);
    attempt++;
    say('Connection lost; reconnecting in ' + Math.ceil(wait / 1000) + ' s…');
    setTimeout(connect, wait);
  }
  window.addEventListener('online', function () {
    if (!socket) { attempt = 0; connect(); }
  });

  // ---- start ----
  var cards = document.querySelectorAll('.card[data-id]');
  for (var i = 0; i < cards.length; i++) {
    known[cards[i].getAttribute('data-id')] = parseInt(cards[i].getAttribute('data-seq') || '0', 10) || 0;
  }
  refreshAges();
  setInterval(refreshAges, 30000);
  setupToggles();
  connect();
  window.firmline = { lastSeq: function () { return lastSeq; }, connected: function () { return !!socket && socket.readyState === 1; } };
})();
