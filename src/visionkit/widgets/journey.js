// The perfect day as a journey. Draws the `journey` model (see journey.py) and sends what the user
// does as typed messages: select (click a card), move (drag a card to another place or lane),
// retime (drag a moment's pin along the time ruler). It never changes what it shows by itself:
// the file is the truth, and a new model comes back once the change is saved.

const COLUMN = 200; // px per moment: room for a card of about 26 characters a line
const LANE_LABEL = 110; // px for the lane names on the left
const RULER = 64; // px of the time ruler above the cards (pins, hour ticks, and lines to the cards)
const BAND = 96; // px of the feeling band below the cards
const DRAG_START = 6; // px of movement before a press becomes a drag (below it, a click)
const SNAP = 5; // minutes: a dragged pin lands on a multiple of this
const SVG = "http://www.w3.org/2000/svg";

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined && text !== null) el.textContent = text; // user text is text, never markup
  return el;
}

function svgNode(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  return el;
}

function clock(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

// The hours the ruler spans: whole hours around the moments' times, at least six.
function span(moments) {
  const times = moments.map((m) => m.minutes).filter((t) => t !== null);
  if (!times.length) return null;
  let start = Math.max(0, Math.floor(Math.min(...times) / 60) * 60 - 60);
  let end = Math.min(24 * 60, Math.ceil(Math.max(...times) / 60) * 60 + 60);
  while (end - start < 6 * 60) {
    if (start > 0) start -= 60;
    if (end - start < 6 * 60 && end < 24 * 60) end += 60;
    if (start === 0 && end === 24 * 60) break;
  }
  return { start, end };
}

function label(moment) {
  const when = [moment.at, moment.channel].filter(Boolean).join(" · ");
  return `Moment ${moment.index + 1}${when ? ", " + when : ""}: ${moment.story}`;
}

function render({ model, el }) {
  const root = node("div", "vk-journey");
  el.appendChild(root);
  let drag = null; // what is being dragged, while the pointer is down

  function send(message) {
    model.send({ ...message, version: model.get("journey").version });
  }

  function draw() {
    if (drag) return; // a model arriving mid-drag is drawn when the drag ends
    const journey = model.get("journey") || {};
    const moments = journey.moments || [];
    const lanes = journey.lanes || [];
    const brand = journey.brand || "#1f4e79";
    root.replaceChildren();
    root.style.setProperty("--vk-brand", brand);
    const head = node("div", "vk-journey-head");
    head.appendChild(node("span", "vk-journey-title", journey.title || ""));
    if (journey.persona) head.appendChild(node("span", "vk-journey-persona", journey.persona));
    root.appendChild(head);
    if (!moments.length) {
      root.appendChild(node("div", "vk-journey-empty", "No moments yet: add the first one below."));
      return;
    }
    const width = moments.length * COLUMN;
    const scroller = node("div", "vk-journey-scroll");
    const board = node("div", "vk-journey-board");
    board.style.width = `${LANE_LABEL + width}px`;
    scroller.appendChild(board);
    root.appendChild(scroller);

    board.appendChild(ruler(moments, width));
    const grid = node("div", "vk-journey-grid");
    grid.style.gridTemplateColumns = `${LANE_LABEL}px repeat(${moments.length}, ${COLUMN}px)`;
    grid.style.gridTemplateRows = `repeat(${lanes.length}, auto)`;
    lanes.forEach((lane, row) => {
      const name = node("div", "vk-journey-lane", lane.name);
      name.style.gridRow = String(row + 1);
      name.style.gridColumn = "1";
      name.dataset.lane = String(row);
      grid.appendChild(name);
      const stripe = node("div", "vk-journey-stripe");
      stripe.style.gridRow = String(row + 1);
      stripe.style.gridColumn = `2 / span ${moments.length}`;
      stripe.dataset.lane = String(row);
      grid.appendChild(stripe);
    });
    for (const moment of moments) grid.appendChild(card(moment, moments.length));
    const marker = node("div", "vk-journey-drop");
    grid.appendChild(marker);
    board.appendChild(grid);
    const curves = band(moments, width, brand);
    if (curves) board.appendChild(curves);
    const note = model.get("note");
    if (note) root.appendChild(node("div", "vk-journey-note", note));
    root.appendChild(
      node(
        "div",
        "vk-journey-help",
        "Click a card to edit it · drag it to another place or lane · drag a time pin along the ruler to change its time · Alt+←/→ moves the focused card",
      ),
    );
  }

  function card(moment, count) {
    const el = node("div", "vk-journey-card");
    el.style.gridRow = String(moment.lane + 1);
    el.style.gridColumn = String(moment.index + 2);
    el.tabIndex = 0;
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", label(moment));
    el.dataset.index = String(moment.index);
    el.title = moment.story;
    if (model.get("selected") === moment.index) el.classList.add("vk-selected");
    el.appendChild(node("div", "vk-journey-when", moment.at || `Moment ${moment.index + 1}`));
    el.appendChild(node("div", "vk-journey-story", moment.story));
    if (moment.wow) {
      const wow = node("div", "vk-journey-wow");
      wow.appendChild(node("b", "", "Wow "));
      wow.appendChild(document.createTextNode(moment.wow));
      el.appendChild(wow);
    }
    const chips = node("div", "vk-journey-chips");
    for (const need of moment.needs) {
      const chip = node("span", need.met ? "vk-chip vk-chip-met" : "vk-chip", `${need.name} L${need.level}`);
      chip.title = need.met ? "met today" : "an uplift is needed";
      chips.appendChild(chip);
    }
    el.appendChild(chips);
    el.addEventListener("pointerdown", (event) => press(event, el, moment));
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        send({ type: "select", index: moment.index });
      } else if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
        event.preventDefault();
        const to = moment.index + (event.key === "ArrowLeft" ? -1 : 1);
        if (to >= 0 && to < count) send({ type: "move", index: moment.index, to, channel: null });
      }
    });
    return el;
  }

  // The time ruler: hour ticks, one pin per timed moment, a line from each pin down to its card's column.
  function ruler(moments, width) {
    const hours = span(moments);
    const wrap = node("div", "vk-journey-ruler");
    wrap.style.marginLeft = `${LANE_LABEL}px`;
    const svg = svgNode("svg", { width, height: RULER, role: "img", "aria-label": "time of day of each moment" });
    wrap.appendChild(svg);
    if (!hours) return wrap;
    const x = (minutes) => 8 + ((minutes - hours.start) / (hours.end - hours.start)) * (width - 16);
    svg.appendChild(svgNode("line", { x1: x(hours.start), x2: x(hours.end), y1: 18, y2: 18, class: "vk-axis" }));
    for (let t = hours.start; t <= hours.end; t += 60) {
      svg.appendChild(svgNode("line", { x1: x(t), x2: x(t), y1: 14, y2: 22, class: "vk-axis" }));
      const text = svgNode("text", { x: x(t), y: 10, class: "vk-hour" });
      text.textContent = clock(t);
      svg.appendChild(text);
    }
    for (const moment of moments) {
      if (moment.minutes === null) continue;
      const centre = moment.index * COLUMN + COLUMN / 2;
      const link = svgNode("line", { x1: x(moment.minutes), y1: 22, x2: centre, y2: RULER, class: "vk-link" });
      const pin = svgNode("g", { class: "vk-pin", tabindex: 0, role: "slider" });
      pin.setAttribute("aria-label", `time of moment ${moment.index + 1}`);
      pin.setAttribute("aria-valuetext", moment.at);
      pin.dataset.index = String(moment.index);
      const dot = svgNode("circle", { cx: x(moment.minutes), cy: 18, r: 6 });
      const tip = svgNode("title");
      tip.textContent = `${moment.at}: drag to change the time`;
      pin.append(dot, tip);
      svg.append(link, pin);
      pin.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        event.stopPropagation();
        pin.setPointerCapture?.(event.pointerId);
        drag = { kind: "pin", moment, pin, dot, link, x, hours, startX: event.clientX, minutes: moment.minutes };
        pin.classList.add("vk-dragging");
      });
    }
    return wrap;
  }

  // Both feeling curves, -2..+2, one point per moment that has a score: today dashed, the perfect day solid.
  function band(moments, width, brand) {
    const scored = moments.some((m) => m.feeling.today !== undefined || m.feeling.perfect !== undefined);
    if (!scored) return null;
    const wrap = node("div", "vk-journey-band");
    wrap.style.marginLeft = `${LANE_LABEL}px`;
    const svg = svgNode("svg", { width, height: BAND, role: "img" });
    svg.setAttribute("aria-label", "how each moment feels today and on the perfect day, from -2 to +2");
    const y = (score) => 10 + ((2 - score) / 4) * (BAND - 20);
    svg.appendChild(svgNode("line", { x1: 0, x2: width, y1: y(0), y2: y(0), class: "vk-axis" }));
    for (const [score, words] of [[2, "+2 delighted"], [0, "0"], [-2, "−2 awful"]]) {
      const text = svgNode("text", { x: -8, y: y(score) + 4, class: "vk-score" });
      text.textContent = words; // in the lane names' column, left of the curves
      svg.appendChild(text);
    }
    for (const [which, cls, colour] of [
      ["today", "vk-today", "#8a94a3"],
      ["perfect", "vk-perfect", brand],
    ]) {
      let path = "";
      let joined = false;
      for (const moment of moments) {
        const score = moment.feeling[which];
        if (score === undefined) {
          joined = false; // a gap in the curve where no score is given
          continue;
        }
        const cx = moment.index * COLUMN + COLUMN / 2;
        path += `${joined ? "L" : "M"}${cx},${y(score)} `;
        joined = true;
        const dot = svgNode("circle", { cx, cy: y(score), r: 4, fill: colour, class: cls });
        const tip = svgNode("title");
        tip.textContent = `${which === "today" ? "Today" : "Perfect day"}: ${score > 0 ? "+" : ""}${score}`;
        dot.appendChild(tip);
        svg.appendChild(dot);
      }
      if (path) svg.insertBefore(svgNode("path", { d: path.trim(), class: cls, stroke: colour }), svg.firstChild);
    }
    const legend = node("div", "vk-journey-legend");
    legend.append(node("span", "vk-key vk-key-today", "Today"), node("span", "vk-key vk-key-perfect", "Perfect day"));
    wrap.append(legend, svg);
    return wrap;
  }

  function press(event, el, moment) {
    if (event.button !== 0) return;
    el.setPointerCapture?.(event.pointerId);
    drag = { kind: "card", el, moment, startX: event.clientX, startY: event.clientY, moving: false, target: null };
  }

  // Where a card dropped at (clientX, clientY) goes: its new position and lane.
  function target(clientX, clientY) {
    const grid = root.querySelector(".vk-journey-grid");
    const box = grid.getBoundingClientRect();
    const count = (model.get("journey").moments || []).length;
    const gap = Math.max(0, Math.min(count, Math.round((clientX - box.left - LANE_LABEL) / COLUMN)));
    let lane = drag.moment.lane;
    for (const stripe of grid.querySelectorAll(".vk-journey-stripe")) {
      const r = stripe.getBoundingClientRect();
      if (clientY >= r.top && clientY < r.bottom) lane = Number(stripe.dataset.lane);
    }
    return { gap, lane };
  }

  root.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.startX;
    if (drag.kind === "pin") {
      const perMinute = (drag.hours.end - drag.hours.start) / (root.querySelector(".vk-journey-ruler svg").width.baseVal.value - 16);
      const raw = drag.moment.minutes + dx * perMinute;
      drag.minutes = Math.max(0, Math.min(24 * 60 - SNAP, Math.round(raw / SNAP) * SNAP));
      drag.dot.setAttribute("cx", drag.x(drag.minutes));
      drag.link.setAttribute("x1", drag.x(drag.minutes));
      drag.pin.setAttribute("aria-valuetext", clock(drag.minutes));
      root.querySelector(".vk-journey-help").textContent = `New time: ${clock(drag.minutes)} (release to save)`;
      return;
    }
    const dy = event.clientY - drag.startY;
    if (!drag.moving && Math.hypot(dx, dy) < DRAG_START) return;
    drag.moving = true;
    drag.el.classList.add("vk-dragging");
    drag.el.style.transform = `translate(${dx}px, ${dy}px)`;
    drag.target = target(event.clientX, event.clientY);
    const marker = root.querySelector(".vk-journey-drop");
    marker.style.display = "block";
    marker.style.gridColumn = String(Math.min(drag.target.gap, (model.get("journey").moments || []).length - 1) + 2);
    marker.style.gridRow = String(drag.target.lane + 1);
    marker.classList.toggle("vk-after", drag.target.gap >= (model.get("journey").moments || []).length);
  });

  function release() {
    const done = drag;
    drag = null;
    if (!done) return;
    if (done.kind === "pin") {
      if (done.minutes !== done.moment.minutes) send({ type: "retime", index: done.moment.index, at: clock(done.minutes) });
      draw();
      return;
    }
    if (!done.moving) {
      send({ type: "select", index: done.moment.index });
      draw();
      return;
    }
    const { gap, lane } = done.target || { gap: done.moment.index, lane: done.moment.lane };
    const to = gap > done.moment.index ? gap - 1 : gap;
    const lanes = model.get("journey").lanes || [];
    const channel = lane === done.moment.lane ? null : lanes[lane].channel;
    draw(); // back where the file has it until the new model arrives
    if (to !== done.moment.index || channel !== null) send({ type: "move", index: done.moment.index, to, channel });
  }

  root.addEventListener("pointerup", release);
  root.addEventListener("pointercancel", () => {
    drag = null;
    draw();
  });
  model.on("change:journey", draw);
  model.on("change:selected", draw);
  model.on("change:note", draw);
  draw();
  return () => {
    model.off("change:journey", draw);
    model.off("change:selected", draw);
    model.off("change:note", draw);
  };
}

export default { render };
