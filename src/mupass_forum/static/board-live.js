// The thread page, live: posts written, changed or removed while it is open appear without a
// reload, through the board's WebSocket. Without this script the page works the same; a reload
// shows what is new. Each post's markup comes from the server, as the page itself shows it.
(function () {
  "use strict";
  var posts = document.getElementById("posts");
  if (!posts || !posts.dataset.thread || !window.WebSocket || !window.fetch) return;
  var thread = Number(posts.dataset.thread);
  var last = Number(posts.dataset.event);
  var status = document.getElementById("live-status");
  var kinds = { post_created: 1, post_edited: 1, post_removed: 1, translation: 1 };
  var queue = Promise.resolve();
  var delay = 1000;

  function card(id) {
    return fetch("/board/posts/" + id + "/card", { credentials: "same-origin" }).then(
      function (response) { return response.ok ? response.text() : null; }
    );
  }

  function show(event) {
    var id = event.post_id;
    var present = document.getElementById("post-" + id);
    if (event.kind === "post_created" ? present : !present) return queue;
    return card(id).then(function (html) {
      if (html === null) return;
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var article = holder.querySelector("article");
      if (!article) return;
      var current = document.getElementById("post-" + id);
      if (current) {
        current.replaceWith(article);
        return;
      }
      article.classList.add("new");
      posts.appendChild(article);
      if (status) {
        var author = article.querySelector("h2").textContent;
        status.textContent = status.dataset.arrived.replace("{author}", author);
      }
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/api/v1/board/live");
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "subscribe", threads: [thread], last_event_id: last }));
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "ready") delay = 1000;
      if (event.type !== "event") return;
      last = event.id;
      if (event.thread_id === thread && event.post_id && kinds[event.kind]) {
        queue = queue.then(function () { return show(event); }, function () {});
      }
    };
    socket.onclose = function (closed) {
      // Refused for good (not allowed, not found, not understood): stay a plain page.
      if (closed.code >= 4400 && closed.code < 4408) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
