/* The editorial calendar: FullCalendar in the workspace's zone, drag-and-drop moves that the
   server may refuse, and a dialog per post whose "Move to…" link is the keyboard alternative.

   FullCalendar runs with the workspace's named time zone and no time-zone plugin, so its
   Date objects are "UTC-coerced": their UTC fields hold the workspace's wall-clock time.
   The server sends and receives wall-clock times and does every UTC conversion itself. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("calendar-config").textContent);
  const alertBox = document.getElementById("calendar-alert");
  const statusBox = document.getElementById("calendar-status");
  const dialog = document.getElementById("event-dialog");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  // aria-busy on the calendar while events, checks or a move are in flight: screen readers
  // wait for the redraw, and so can the browser tests.
  const calendarEl = document.getElementById("calendar");
  let pending = 0;
  function busy(delta) {
    pending = Math.max(0, pending + delta);
    calendarEl.setAttribute("aria-busy", pending > 0 ? "true" : "false");
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  function wallClock(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) + ":00";
  }

  function postUrl(template, id) { return template.replace("/0/", "/" + id + "/"); }

  function say(box, text) {
    // Emptying first makes screen readers announce the same text twice in a row.
    statusBox.textContent = "";
    alertBox.textContent = "";
    window.setTimeout(function () { box.textContent = text; }, 50);
  }

  function feed(info, success, failure) {
    const params = new URLSearchParams(window.location.search);
    params.set("start", wallClock(info.start));
    params.set("end", wallClock(info.end));
    fetch(config.feedUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.json(); })
      .then(success)
      .catch(function (error) { failure(error); say(alertBox, error.message); });
  }

  // The checks panel follows the calendar: the dates on screen, and again after a move.
  const checksPanel = document.getElementById("calendar-checks-box");

  function day(date) { return wallClock(date).slice(0, 10); }

  function refreshChecks() {
    if (!checksPanel) { return; }
    const view = calendar.view;
    const query = new URLSearchParams({ start: day(view.currentStart), end: day(view.currentEnd) });
    busy(1);
    fetch(checksPanel.dataset.url + "?" + query, { headers: { "HX-Request": "true" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.text(); })
      .then(function (html) { checksPanel.innerHTML = html; })
      .catch(function (error) { say(alertBox, error.message); })
      .finally(function () { busy(-1); });
  }

  function drop(info) {
    const body = new URLSearchParams({ start: wallClock(info.event.start) });
    busy(1);
    fetch(postUrl(config.dropUrl, info.event.id), {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body: body,
    })
      .then(function (r) { return r.json().catch(function () { return { ok: false, message: r.statusText }; }); })
      .then(function (answer) {
        if (answer.ok) {
          say(statusBox, answer.message);
          calendar.refetchEvents();
          refreshChecks();
        } else {
          info.revert();
          say(alertBox, answer.message);
        }
      })
      .catch(function (error) { info.revert(); say(alertBox, error.message); })
      .finally(function () { busy(-1); });
  }

  function openDialog(info) {
    info.jsEvent.preventDefault();
    const event = info.event;
    const props = event.extendedProps;
    dialog.querySelector("#event-dialog-title").textContent = event.title;
    const shown = {
      when: wallClock(event.start).replace("T", " ").slice(0, 16) + " (" + props.offset + ")",
      stateLabel: props.stateLabel,
      networks: props.networks.join(", "),
      pillar: props.pillar || "—",
      persona: props.persona || "—",
      author: props.author || "—",
    };
    Object.keys(shown).forEach(function (key) {
      dialog.querySelector("[data-field=" + key + "]").textContent = shown[key];
    });
    const open = dialog.querySelector("[data-link=open]");
    open.hidden = !event.url;
    if (event.url) { open.href = event.url; }
    const move = dialog.querySelector("[data-link=move]");
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    move.href = postUrl(config.moveUrl, event.id) + "?next=" + back;
    move.hidden = !props.canMove;
    const queue = dialog.querySelector("[data-form=queue]");
    if (queue) { queue.action = postUrl(config.moveUrl, event.id).replace("/move/", "/queue/"); }
    dialog.showModal();
  }

  dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });

  const calendar = new FullCalendar.Calendar(calendarEl, {
    initialView: "dayGridMonth",
    initialDate: config.initialDate || undefined,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
    locale: config.locale,
    timeZone: config.timeZone,
    firstDay: 1,
    // No inner scrolling: a scrolled area inside FullCalendar's grid cannot be made
    // keyboard-reachable without breaking the grid's ARIA structure, so the page scrolls.
    height: "auto",
    slotDuration: "01:00:00",
    nowIndicator: true,
    editable: config.canWrite,
    eventDurationEditable: false,
    eventInteractive: true,
    displayEventEnd: false,
    events: feed,
    loading: function (isLoading) { busy(isLoading ? 1 : -1); },
    eventDrop: drop,
    eventClick: openDialog,
    datesSet: refreshChecks,
  });
  calendar.render();
  // The arrow icons are drawn with role="img" and no text, inside buttons that FullCalendar
  // already names ("Mois précédent"): hide the icons so the button's name is what is read.
  calendar.el.querySelectorAll(".fc-toolbar .fc-icon").forEach(function (icon) {
    icon.setAttribute("aria-hidden", "true");
  });
})();
