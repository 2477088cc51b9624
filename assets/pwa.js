/* Registers the service worker and offers "Install Cadence" where the browser allows it.
 * The install button (#cadence-install, rendered by the app shell) is shown through the
 * data-installable attribute on <html>, so React never has to know about it. */
(function () {
  // Signed out (logout calls this; any load without a token too): the live logger's cached copies of the user's catalogue, routines and
  // previous values go. Unsent workouts stay, keyed by user, until that user signs in again.
  window.cadenceForgetLoggerCache = function () {
    Object.keys(localStorage)
      .filter(function (name) { return /^cadence_logger:.*:cache$/.test(name); })
      .forEach(function (name) { localStorage.removeItem(name); });
  };
  if (!localStorage.getItem("cadence_token")) window.cadenceForgetLoggerCache();
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
        console.warn("Cadence: service worker registration failed", error);
      });
    });
  }
  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    document.documentElement.setAttribute("data-installable", "true");
  });
  window.addEventListener("appinstalled", function () {
    deferred = null;
    document.documentElement.removeAttribute("data-installable");
  });
  window.cadencePromptInstall = function () {
    if (!deferred) return;
    deferred.prompt();
    deferred.userChoice.finally(function () {
      deferred = null;
      document.documentElement.removeAttribute("data-installable");
    });
  };
})();
