// The agent workbench (R3.2): the live screen pop through server-sent events, and the call timer.
// The stream is kefu.core.push: it resumes after the last event id by itself (Last-Event-ID) when it reconnects.
(function () {
  "use strict";
  var root = document.getElementById("workbench");
  if (!root || !window.EventSource) { return; }
  var d = root.dataset;
  var marks = {target: +d.target, routine: +d.routineMax, handover: +d.handover};
  var state = document.getElementById("stream-state");
  var timer = document.getElementById("call-timer");
  var clock = document.getElementById("timer-clock");
  var label = document.getElementById("timer-label");
  var started = document.getElementById("call-started");
  var current = null, startedAt = null, tick = null;

  function setState(name, text) { state.dataset.state = name; state.textContent = text; }

  function show(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    var phase = seconds >= marks.handover ? "handover" : seconds >= marks.routine ? "routine"
      : seconds >= marks.target ? "target" : "running";
    if (timer.dataset.state !== phase) {
      timer.dataset.state = phase;
      label.textContent = d["label" + phase.charAt(0).toUpperCase() + phase.slice(1)];
    }
  }

  function startTimer() {
    stopTimer();
    startedAt = Date.now();
    started.value = new Date(startedAt).toISOString();
    show(0);
    tick = setInterval(function () { show(Math.floor((Date.now() - startedAt) / 1000)); }, 1000);
  }

  function stopTimer(done) {
    if (tick) { clearInterval(tick); tick = null; }
    if (done) { timer.dataset.state = "done"; label.textContent = d.labelDone; }
  }

  // A call rang at this agent's extension: fetch the pop with his own rights (masking, scope) and show it.
  function offered(event) {
    var message = JSON.parse(event.data);
    var contact = String(message.payload.contact);
    if (contact === current) { return; }
    current = contact;
    startTimer();
    htmx.ajax("GET", d.popUrl + "?contact=" + encodeURIComponent(contact), {target: "#pop", swap: "innerHTML"});
  }

  var source = new EventSource(d.streamUrl + "?after=" + encodeURIComponent(d.after));
  source.addEventListener("open", function () { setState("connected", d.labelConnected); });
  source.addEventListener("error", function () { setState("reconnecting", d.labelReconnecting); });
  source.addEventListener("contacts.offered", offered);

  // A number typed in is a call too: the timer starts with its look-up.
  document.getElementById("lookup").addEventListener("submit", function () { current = null; startTimer(); });

  // The record form answers 400 with its errors: show them in place (htmx swaps only 2xx by default).
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "pop") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "pop" && document.getElementById("record-result")) {
      stopTimer(true);
      current = null;
    }
  });
  // The fields of the chosen action show (CSS on data-action), whichever pop the form came with.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (event.target.name === "action" && form && form.id === "record-form") { form.dataset.action = event.target.value; }
  });
}());
