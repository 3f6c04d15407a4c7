/*
 * tools/atoll/viewer/viewer.js - the script of the page `atoll trace view`
 * writes (copied into it: the page loads nothing).
 *
 * It reads the trace's model from <script id="trace-data"> (lanes of
 * spans and marks, counters; tools/atoll/trace_model.h says what each
 * holds) and draws it as SVG: a time axis, one lane per fiber, one track
 * per counter.  Zoom and pan change the visible time range and draw again;
 * only what is visible is drawn, and spans or marks narrower than a pixel
 * are merged with their neighbour, so a full ring stays quick.
 *
 * Each lane is a <g class="lane" data-fiber-id=ID data-fiber=NAME>; the
 * tests read the drawn page back through them.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var KIND = ["run", "blocked", "ready", "idle", "slice"];
  var KIND_TEXT = ["running", "blocked", "ready (woken, waiting to run)",
                   "idle (waiting for I/O or a timer)", "slice"];
  var MARK = ["timer", "io", "label", "exit", "create"];
  var MARK_TEXT = ["timer expiry", "device I/O", "label", "exit", "created"];
  var PALETTE = ["#e03131", "#f59f00", "#4c6ef5", "#ae3ec9", "#0ca678",
                 "#f76707", "#1098ad", "#862e9c", "#5c940d", "#495057"];
  var GUTTER = 160, LANE_H = 24, COUNTER_H = 46, AXIS_H = 26, RIGHT = 12;
  var box = document.getElementById("view");
  var t0 = data.t0, t1 = data.t1 > data.t0 ? data.t1 : data.t0 + 1;
  var view = { a: t0, b: t1 };
  var width = 0;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function title(parent, text) {
    el("title", {}, parent).textContent = text;
  }

  function fmt(us) {
    var a = Math.abs(us);
    if (a < 1) return (us * 1e3).toFixed(0) + " ns";
    if (a < 1e3) return +us.toPrecision(3) + " us";
    if (a < 1e6) return +(us / 1e3).toPrecision(4) + " ms";
    return +(us / 1e6).toPrecision(4) + " s";
  }

  function reasonColor(i) {
    return PALETTE[i % PALETTE.length];
  }

  function legend() {
    var l = document.getElementById("legend");
    function key(cls, color, text) {
      var s = document.createElement("span");
      s.className = "key " + cls;
      var i = document.createElement("i");
      i.style.background = color;
      s.appendChild(i);
      s.appendChild(document.createTextNode(text));
      l.appendChild(s);
    }
    key("run", "#2e9d4a", "running");
    key("ready", "#b9c0c8", "ready");
    key("idle", "#dde7f3", "scheduler idle");
    data.reasons.forEach(function (r, i) {
      key("reason", reasonColor(i), "blocked: " + r);
    });
    key("mark", "#e8590c", "timer expiry");
    key("mark", "#1c7ed6", "device I/O");
    key("mark", "#6741d9", "label");
    key("mark", "#111", "exit");
  }

  function x(t) {
    return GUTTER + (t - view.a) / (view.b - view.a) * (width - GUTTER - RIGHT);
  }

  function tAt(px) {
    return view.a + (px - GUTTER) / (width - GUTTER - RIGHT) * (view.b - view.a);
  }

  /* A tick step of 1, 2 or 5 times a power of ten, about 110 px apart. */
  function tickStep() {
    var raw = (view.b - view.a) / Math.max(1, (width - GUTTER) / 110);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  function drawAxis(svg, height) {
    var g = el("g", { "class": "axis" }, svg);
    var step = tickStep();
    /* At most 100 ticks, and none where adding the step no longer moves t
       (times of 1e15 us and more zoomed to a few us). */
    for (var t = Math.ceil(view.a / step) * step, n = 0;
         t <= view.b && n < 100 && t + step > t; t += step, n++) {
      var px = x(t);
      el("line", { x1: px, x2: px, y1: AXIS_H - 6, y2: height }, g);
      el("text", { x: px + 3, y: AXIS_H - 10 }, g).textContent = fmt(t - t0);
    }
  }

  function spanText(lane, s) {
    var what = s[2] === 1 ? "blocked (" + data.reasons[s[3]] + ")"
             : s[2] === 4 ? s[4] : KIND_TEXT[s[2]];
    return lane.name + ": " + what + ", " + fmt(s[1] - s[0]) + " from " +
           fmt(s[0] - t0);
  }

  function drawSpans(g, lane, y) {
    var prev = null;
    lane.spans.forEach(function (s) {
      if (s[1] < view.a || s[0] > view.b) return;
      var x0 = Math.max(GUTTER, x(s[0])), x1 = Math.min(width - RIGHT, x(s[1]));
      var key = s[2] + ":" + s[3];
      if (x1 - x0 < 1 && prev && prev.key === key && x0 - prev.x1 < 1) {
        prev.x1 = Math.max(prev.x1, x0 + 1);
        prev.rect.setAttribute("width", prev.x1 - prev.x0);
        prev.n++;
        return;
      }
      var tall = s[2] === 2 ? 6 : 16;
      var attrs = { "class": "span " + KIND[s[2]], x: x0, y: y + (LANE_H - tall) / 2,
                    width: Math.max(1, x1 - x0), height: tall };
      if (s[2] === 1) attrs.fill = reasonColor(s[3]);
      var r = el("rect", attrs, g);
      title(r, spanText(lane, s));
      prev = { key: key, rect: r, x0: x0, x1: x0 + Math.max(1, x1 - x0), n: 1 };
    });
  }

  function drawMarks(g, lane, y) {
    var last = [-1e9, -1e9, -1e9, -1e9, -1e9], lastText = -1e9;
    lane.marks.forEach(function (m) {
      if (m[0] < view.a || m[0] > view.b) return;
      var px = x(m[0]), k = m[1], shape;
      if (px - last[k] < 2) return;
      last[k] = px;
      if (k === 0) /* timer: a triangle pointing down, at the top */
        shape = el("path", { d: "M" + (px - 4) + " " + (y + 1) + "h8l-4 6z" }, g);
      else if (k === 1) /* device I/O: a square at the bottom */
        shape = el("rect", { x: px - 3, y: y + LANE_H - 7, width: 6, height: 6 }, g);
      else if (k === 2) /* label: a diamond in the middle */
        shape = el("path", { d: "M" + px + " " + (y + 6) + "l5 6-5 6-5-6z" }, g);
      else if (k === 3) /* exit: a bar */
        shape = el("rect", { x: px - 1, y: y + 2, width: 2, height: LANE_H - 4 }, g);
      else
        shape = el("circle", { cx: px, cy: y + LANE_H / 2, r: 3 }, g);
      shape.setAttribute("class", "mark " + MARK[k]);
      title(shape, lane.name + ": " + MARK_TEXT[k] + " (" + m[2] + ") at " +
            fmt(m[0] - t0));
      if (k === 2 && px - lastText > 70 && px + 8 < width - RIGHT) {
        var tx = el("text", { "class": "mark-text", x: px + 7, y: y + 10 }, g);
        tx.textContent = m[2].length > 14 ? m[2].slice(0, 13) + "\u2026" : m[2];
        lastText = px;
      }
    });
  }

  function drawCounter(g, c, y) {
    var lo = Infinity, hi = -Infinity;
    c.points.forEach(function (p) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); });
    if (hi === lo) { hi = lo + 1; }
    function cy(v) { return y + COUNTER_H - 6 - (v - lo) / (hi - lo) * (COUNTER_H - 14); }
    var d = "", shown = null;
    c.points.forEach(function (p, i) {
      var next = i + 1 < c.points.length ? c.points[i + 1][0] : t1;
      if (next < view.a || p[0] > view.b) return;
      var x0 = Math.max(GUTTER, x(p[0])), x1 = Math.min(width - RIGHT, x(next));
      d += (d ? "L" : "M") + x0 + " " + cy(p[1]) + "H" + x1;
      shown = p;
    });
    if (d) el("path", { d: d }, g);
    if (shown) {
      el("text", { "class": "value", x: GUTTER + 4, y: y + 10 }, g).textContent =
        "range " + lo + " to " + hi + "; last shown " + shown[1];
    }
  }

  function render() {
    width = Math.max(600, box.clientWidth || 1200);
    var lanes = data.lanes, counters = data.counters;
    var height = AXIS_H + lanes.length * LANE_H + counters.length * COUNTER_H + 4;
    while (box.firstChild) box.removeChild(box.firstChild);
    var svg = el("svg", { id: "timeline", width: width, height: height,
                          viewBox: "0 0 " + width + " " + height }, box);
    el("clipPath", { id: "plot" }, el("defs", {}, svg)).appendChild(
      el("rect", { x: GUTTER, y: 0, width: width - GUTTER - RIGHT, height: height }));
    drawAxis(svg, height);
    lanes.forEach(function (lane, i) {
      var y = AXIS_H + i * LANE_H;
      var g = el("g", { "class": "lane", "data-fiber-id": lane.id,
                        "data-fiber": lane.name }, svg);
      el("rect", { "class": "lane-bg", x: 0, y: y, width: width, height: LANE_H }, g);
      var body = el("g", { "clip-path": "url(#plot)" }, g);
      drawSpans(body, lane, y);
      drawMarks(body, lane, y);
      el("rect", { "class": "gutter", x: 0, y: y, width: GUTTER - 2, height: LANE_H }, g);
      var name = el("text", { "class": "lane-name", x: 6, y: y + 16 }, g);
      name.textContent = (lane.name.length > 20 ? lane.name.slice(0, 19) + "\u2026"
                                                : lane.name) + " (" + lane.id + ")";
    });
    counters.forEach(function (c, i) {
      var y = AXIS_H + lanes.length * LANE_H + i * COUNTER_H;
      var g = el("g", { "class": "counter", "data-counter": c.name }, svg);
      el("rect", { "class": "lane-bg", x: 0, y: y, width: width, height: COUNTER_H }, g);
      drawCounter(el("g", { "clip-path": "url(#plot)" }, g), c, y);
      el("text", { x: 6, y: y + 16 }, g).textContent = "counter " + c.name;
    });
    document.getElementById("range").textContent =
      fmt(view.a - t0) + " to " + fmt(view.b - t0) + " (" + fmt(view.b - view.a) + " shown)";
  }

  /* Zoom by `f` (< 1 zooms in) keeping time `at` where it is. */
  function zoom(f, at) {
    var span = Math.max((view.b - view.a) * f, 1e-3);
    span = Math.min(span, (t1 - t0) * 4);
    var r = (at - view.a) / (view.b - view.a);
    view.a = at - r * span;
    view.b = view.a + span;
    render();
  }

  function pan(px) {
    var dt = px / (width - GUTTER - RIGHT) * (view.b - view.a);
    view.a += dt;
    view.b += dt;
    render();
  }

  function fit() {
    view.a = t0;
    view.b = t1;
    render();
  }

  var drag = null;
  box.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = box.getBoundingClientRect();
    if (e.shiftKey) pan(e.deltaY);
    else zoom(e.deltaY > 0 ? 1.25 : 0.8, tAt(e.clientX - r.left));
  }, { passive: false });
  box.addEventListener("mousedown", function (e) {
    drag = e.clientX;
    box.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (e) {
    if (drag === null) return;
    pan(drag - e.clientX);
    drag = e.clientX;
  });
  window.addEventListener("mouseup", function () {
    drag = null;
    box.classList.remove("dragging");
  });
  box.addEventListener("dblclick", function (e) {
    var r = box.getBoundingClientRect();
    zoom(0.5, tAt(e.clientX - r.left));
  });
  window.addEventListener("keydown", function (e) {
    var mid = (view.a + view.b) / 2, w = width - GUTTER - RIGHT;
    if (e.key === "+" || e.key === "=") zoom(0.5, mid);
    else if (e.key === "-") zoom(2, mid);
    else if (e.key === "0") fit();
    else if (e.key === "ArrowLeft") pan(-w / 4);
    else if (e.key === "ArrowRight") pan(w / 4);
  });
  window.addEventListener("resize", render);
  document.getElementById("zoom-in").onclick = function () { zoom(0.5, (view.a + view.b) / 2); };
  document.getElementById("zoom-out").onclick = function () { zoom(2, (view.a + view.b) / 2); };
  document.getElementById("fit").onclick = fit;

  legend();
  render();
  document.body.setAttribute("data-lanes", String(data.lanes.length));
})();
