/* Cadence live workout logger (/workouts/log): a small client-side app that works with no signal.
 *
 * Why not a Reflex page: every Reflex event (a tap, a keystroke, on_load) travels over the app's
 * websocket, so with no signal nothing responds. This module talks to the REST API with the
 * signed-in user's token (the one the app keeps in localStorage), keeps the live workout in
 * localStorage after every change (a reload, a closed tab or a lost connection loses nothing),
 * and queues the finished workout in an outbox sent to POST /api/v1/workouts with one
 * Idempotency-Key per workout, so a retry never stores it twice.
 *
 * Stored per user (the id from the token): the live workout, the outbox, and a cache of the
 * catalogue, routines (with their start drafts), previous values and the weight unit. The cache
 * is removed when the app has no token (after logout, see pwa.js); unsent workouts stay until
 * the same user is signed in again and they are sent.
 */
(function () {
  "use strict";

  const API = "/api/v1";
  const TOKEN_KEY = "cadence_token";
  const PREFIX = "cadence_logger:";
  const CACHE_MAX_AGE_MS = 6 * 60 * 60 * 1000;
  const SYNC_EVERY_MS = 30 * 1000;
  const DEFAULT_REST_S = 90;
  const REST_STEP_S = 15;
  const KG_PER_LB = 0.45359237;
  const SET_TYPES = [
    ["normal", "Normal", ""],
    ["warmup", "Warm-up", "W"],
    ["drop", "Drop", "D"],
    ["failure", "Failure", "F"],
  ];
  const root = document.getElementById("cadence-logger");
  const PLATE_STEP = JSON.parse(root.dataset.plateSteps);
  const E1RM_RULE = JSON.parse(root.dataset.e1rmRule); // services/strength.py's, see strength.js
  const LIMITS = JSON.parse(root.dataset.limits); // models/workout.py's: rows, sets, weight_kg
  const { prFlags } = self.CadenceStrength;

  // --- identity and storage ------------------------------------------------------------------

  function token() {
    const raw = localStorage.getItem(TOKEN_KEY) || "";
    return raw.startsWith('"') ? JSON.parse(raw) : raw;
  }

  function userId() {
    const parts = token().split(".");
    if (parts.length !== 3) return null;
    try {
      return String(JSON.parse(atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"))).sub);
    } catch (error) {
      return null;
    }
  }

  const uid = userId();
  const key = (name) => `${PREFIX}${uid}:${name}`;
  const load = (name, fallback) => {
    try {
      return JSON.parse(localStorage.getItem(key(name))) ?? fallback;
    } catch (error) {
      return fallback;
    }
  };
  const save = (name, value) => localStorage.setItem(key(name), JSON.stringify(value));

  let draft = load("draft", null);
  let outbox = load("outbox", []);
  let customs = load("customs", []); // names of new custom exercises not yet sent
  let cache = load("cache", { fetched: 0, unit: "kg", catalog: [], routines: [], previous: [], aliases: {} });
  let summary = null;
  let editor = load("editor", null); // the routine being edited, kept until saved or dropped
  let picker = null; // {query, pick(name)} while the exercise picker is open
  let rest = null; // {ends, total}
  const errors = {}; // set id -> message

  function persist() {
    if (draft) save("draft", draft);
    else localStorage.removeItem(key("draft"));
  }

  // --- numbers -----------------------------------------------------------------------------

  const unit = () => cache.unit || "kg";
  const toKg = (value) => (unit() === "lb" ? value * KG_PER_LB : value);
  // the weight as stored (to the gram): PRs compare it with the stored bests
  const storedKg = (value) => Math.round(toKg(Number(value)) * 1000) / 1000;
  const fromKg = (kg) => (unit() === "lb" ? kg / KG_PER_LB : kg);
  const shown = (value) => String(Math.round(value * 100) / 100);
  const nameKey = (name) => name.replace(/\s+/g, "").toLowerCase();
  const identity = (name) => cache.aliases[nameKey(name)] || nameKey(name);
  const newId = () =>
    (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).toString();
  const clock = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  };

  /** A catalogue entry, one of the user's exercises, a name logged before or mapped. */
  function isKnown(name) {
    const wanted = identity(name);
    return (
      cache.catalog.some((e) => identity(e.name) === wanted) ||
      cache.previous.some((item) => item.key === wanted)
    );
  }

  const customEntry = (name) => ({ name, equipment: "", muscles: "", custom: true });

  function previousFor(name) {
    return cache.previous.find((item) => item.key === identity(name)) || null;
  }

  // --- drafts ------------------------------------------------------------------------------

  function blankSet(type) {
    return { id: newId(), type: type || "normal", w: "", r: "", rpe: "", done: false, pr: "" };
  }

  function newExercise(name) {
    const previous = previousFor(name);
    const count = previous ? previous.sets.length : 1;
    const sets = [];
    for (let i = 0; i < count; i += 1) sets.push(blankSet(previous ? previous.sets[i].set_type : "normal"));
    return { id: newId(), name, rest: DEFAULT_REST_S, superset: null, sets };
  }

  function newDraft(name) {
    return { key: newId(), started: Date.now(), name: name || "Workout", routine_id: null, exercises: [] };
  }

  function draftFromRoutine(routine) {
    const made = newDraft(routine.name);
    made.routine_id = routine.id;
    for (const row of routine.start.exercises) {
      let exercise = made.exercises[made.exercises.length - 1];
      if (!exercise || exercise.name !== row.name) {
        exercise = { id: newId(), name: row.name, rest: DEFAULT_REST_S, superset: row.superset, sets: [] };
        made.exercises.push(exercise);
      }
      const set = blankSet(row.set_type);
      set.w = shown(fromKg(row.weight_kg));
      set.r = row.reps;
      exercise.sets.push(set);
    }
    return made;
  }

  // --- server ------------------------------------------------------------------------------

  async function api(path, options) {
    const headers = Object.assign({ Authorization: `Bearer ${token()}` }, (options || {}).headers);
    return fetch(API + path, Object.assign({}, options, { headers }));
  }

  async function refreshCache(force) {
    if (!navigator.onLine || (!force && Date.now() - cache.fetched < CACHE_MAX_AGE_MS)) return;
    try {
      const [prefs, catalog, routines, previous] = await Promise.all(
        ["/settings/preferences", "/exercises/catalog?per_page=1000", "/routines", "/exercises/previous"].map(
          (path) => api(path).then((r) => (r.ok ? r.json() : Promise.reject(r.status))),
        ),
      );
      const starts = await Promise.all(
        routines.routines.map((r) => api(`/routines/${r.id}/start`).then((res) => (res.ok ? res.json() : null))),
      );
      cache = {
        fetched: Date.now(),
        unit: prefs.weight_unit,
        catalog: catalog.exercises
          .map((e) => ({
            name: e.name,
            equipment: e.equipment || "",
            muscles: e.primary_muscles.join(", "),
            custom: e.custom,
          }))
          .concat(customs.filter((name) => !catalog.exercises.some((e) => nameKey(e.name) === nameKey(name))).map(customEntry)),
        routines: routines.routines
          .map((r, i) => ({ id: r.id, name: r.name, start: starts[i] }))
          .filter((r) => r.start),
        previous: previous.exercises,
        aliases: previous.aliases,
      };
      save("cache", cache);
      render();
    } catch (error) {
      /* offline or the server is away: the cached copy stays in use */
    }
  }

  /** Send the custom exercises made on this phone (one already there, 409, is as good); one the
   * server could not take now (5xx) stays queued. False when the login has expired. */
  async function sendCustoms() {
    for (const name of customs.slice()) {
      const response = await api("/exercises/custom", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      });
      if (response.status === 401) return false;
      if (response.status >= 500) return true;
      customs = customs.filter((other) => other !== name);
      save("customs", customs);
    }
    return true;
  }

  async function sync() {
    try {
      if (!(await sendCustoms())) return status("Sign in again to sync your workout — it is kept on this phone.");
    } catch (error) {
      return status(outbox.length ? "offline — saved on this phone, will sync" : "");
    }
    for (const item of outbox.slice()) {
      if (item.error) continue;
      let response;
      try {
        response = await api("/workouts", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
          body: JSON.stringify(item.body),
        });
      } catch (error) {
        status("offline — saved on this phone, will sync");
        return;
      }
      if (response.ok) {
        const stored = await response.json();
        outbox = outbox.filter((other) => other.key !== item.key);
        save("outbox", outbox);
        if (summary && summary.key === item.key) summary.workout_id = stored.id;
        cache.fetched = 0;
        refreshCache(true);
      } else if (response.status === 401) {
        status("Sign in again to sync your workout — it is kept on this phone.");
        return;
      } else {
        const detail = await response.json().catch(() => ({}));
        item.error = typeof detail.detail === "string" ? detail.detail : "The server refused this workout.";
        save("outbox", outbox);
      }
    }
    status(outbox.some((item) => !item.error) ? "offline — saved on this phone, will sync" : "");
    if (summary) render();
  }

  // --- actions -----------------------------------------------------------------------------

  function findSet(setId) {
    for (const exercise of draft.exercises) {
      const index = exercise.sets.findIndex((s) => s.id === setId);
      if (index >= 0) return { exercise, set: exercise.sets[index], index };
    }
    return null;
  }

  function previousSet(exercise, index) {
    const previous = previousFor(exercise.name);
    return previous && previous.sets[index] ? previous.sets[index] : null;
  }

  function valuesOf(exercise, set, index) {
    const last = previousSet(exercise, index);
    const w = set.w !== "" ? set.w : last ? shown(fromKg(last.weight_kg)) : "";
    const r = set.r !== "" ? set.r : last ? String(last.reps) : "";
    return { w, r };
  }

  function weightProblem(w) {
    if (w === "") return "Enter a weight (0 for bodyweight)";
    const weight = Number(w);
    if (!Number.isFinite(weight)) return "Weight must be a number";
    if (weight < 0) return "Weight can't be negative";
    if (toKg(weight) > LIMITS.weight_kg) return `Weight must be at most ${LIMITS.weight_kg} kg`;
    return "";
  }

  function problem(w, r, rpe) {
    const weight = weightProblem(w);
    if (weight) return weight;
    if (r === "") return "Enter the reps";
    if (!/^\d{1,3}$/.test(r) || Number(r) < 1) return "Reps must be a whole number from 1 to 999";
    if (rpe !== "" && !(Number(rpe) >= 1 && Number(rpe) <= 10)) return "RPE is a number from 1 to 10";
    return "";
  }

  /** The user's stored bests for the exercise, and its working sets done earlier today. */
  function bestsBefore(exercise, setId) {
    const previous = previousFor(exercise.name);
    const stored = { e1rm: previous ? previous.best_e1rm_kg : null, weight: previous ? previous.best_weight_kg : null };
    const earlier = [];
    for (const other of draft.exercises) {
      if (identity(other.name) !== identity(exercise.name)) continue;
      for (const s of other.sets) {
        if (s.done && s.id !== setId) earlier.push({ kg: storedKg(s.w), reps: Number(s.r), type: s.type });
      }
    }
    return { stored, earlier };
  }

  function complete(setId) {
    const found = findSet(setId);
    if (!found) return;
    const { exercise, set, index } = found;
    if (set.done) {
      set.done = false;
      set.pr = "";
      persist();
      return render();
    }
    const { w, r } = valuesOf(exercise, set, index);
    const message = problem(w, r, set.rpe);
    errors[setId] = message;
    if (message) return render(() => focusField(setId, w === "" || message.startsWith("Weight") ? "w" : "r"));
    Object.assign(set, { w, r, done: true, pr: "" });
    const { stored, earlier } = bestsBefore(exercise, set.id);
    const flags = prFlags(E1RM_RULE, stored, earlier, { kg: storedKg(w), reps: Number(r), type: set.type });
    set.pr = flags.e1rm ? "e1RM PR" : flags.weight ? "Weight PR" : "";
    const next = exercise.sets[index + 1];
    if (next && !next.done && next.w === "" && next.r === "") Object.assign(next, { w, r });
    if (lastOfSuperset(exercise)) startRest(exercise.rest);
    persist();
    render();
  }

  function lastOfSuperset(exercise) {
    if (!exercise.superset) return true;
    const group = draft.exercises.filter((e) => e.superset === exercise.superset);
    return group[group.length - 1] === exercise;
  }

  function startRest(seconds) {
    rest = { ends: Date.now() + seconds * 1000, total: seconds, alerted: false };
  }

  function restAlert() {
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (error) {
      /* no audio here: the vibration and the screen say it */
    }
  }

  function step(setId, field, direction) {
    const found = findSet(setId);
    const values = valuesOf(found.exercise, found.set, found.index);
    const size = field === "w" ? PLATE_STEP[unit()] : 1;
    const current = Number(values[field] || 0);
    const floor = field === "w" ? 0 : 1;
    found.set[field] = shown(Math.max(floor, current + direction * size));
    persist();
    render();
  }

  /** A name that is no exercise yet becomes the user's custom exercise (sent when online),
   * so everything logged under it has one identity. */
  function chooseExercise(name) {
    const clean = name.trim().slice(0, 100);
    if (!clean) return;
    if (!isKnown(clean)) {
      cache.catalog.unshift(customEntry(clean));
      save("cache", cache);
      customs.push(clean);
      save("customs", customs);
      sync();
    }
    picker.pick(clean);
    picker = null;
    render();
  }

  function addExercise(name) {
    draft = draft || newDraft();
    draft.exercises.push(newExercise(name));
    persist();
  }

  function finish() {
    const rows = [];
    for (const exercise of draft.exercises) {
      for (const s of exercise.sets) {
        if (!s.done) continue;
        const row = {
          name: exercise.name,
          sets: 1,
          reps: String(s.r),
          weight_kg: storedKg(s.w),
          set_type: s.type,
        };
        if (s.rpe !== "") row.rpe = Number(s.rpe);
        if (exercise.superset) row.superset = exercise.superset;
        rows.push(row);
      }
    }
    if (!rows.length) {
      errors.finish = "Add at least one set: tick ✓ on a set you did";
      return render();
    }
    const minutes = Math.max(1, Math.round((Date.now() - draft.started) / 60000));
    const day = new Date(draft.started).toLocaleDateString("en-CA");
    const body = {
      date: day,
      workout_name: draft.name.trim() || "Workout",
      notes: "",
      duration_minutes: minutes,
      exercises: rows,
    };
    const prs = [];
    for (const exercise of draft.exercises) {
      for (const s of exercise.sets) if (s.done && s.pr) prs.push(`${exercise.name}: ${s.pr} ${s.w} ${unit()} × ${s.r}`);
    }
    const volume = rows.reduce((sum, row) => sum + row.weight_kg * Number(row.reps), 0);
    summary = { key: draft.key, name: body.workout_name, minutes, sets: rows.length, volume, prs, workout_id: null };
    outbox.push({ key: draft.key, body });
    save("outbox", outbox);
    save("summary", summary);
    draft = null;
    rest = null;
    delete errors.finish;
    persist();
    render();
    sync();
  }

  async function saveRoutine() {
    const response = await api("/routines/from-workout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ workout_id: summary.workout_id }),
    }).catch(() => null);
    summary.routine = response && response.ok ? "Saved as a routine." : "Could not save the routine; try again online.";
    cache.fetched = 0;
    refreshCache(true);
    render();
  }

  // --- routine editor ------------------------------------------------------------------------
  // A routine is edited here, next to where routines are listed, and saved with PUT /routines/{id}
  // (the server validates again). The edits are kept on the phone until saved or dropped.

  function keepEditor() {
    if (editor) save("editor", editor);
    else localStorage.removeItem(key("editor"));
  }

  function editorRow(row) {
    return {
      id: newId(),
      sets: String(row.sets),
      reps: row.reps,
      w: row.weight_kg === null ? "" : shown(fromKg(row.weight_kg)),
      type: row.set_type || "normal",
      superset: row.superset || null,
      rpe: row.rpe ?? null,
    };
  }

  /** The routine's rows, consecutive rows of one exercise under it. */
  function editorFrom(routine) {
    const exercises = [];
    for (const row of routine.exercises) {
      let exercise = exercises[exercises.length - 1];
      if (!exercise || exercise.name !== row.name) {
        exercise = { id: newId(), name: row.name, rows: [] };
        exercises.push(exercise);
      }
      exercise.rows.push(editorRow(row));
    }
    return { id: routine.id, name: routine.name, notes: routine.notes || "", exercises, errors: {}, message: "" };
  }

  async function openEditor(routineId) {
    const response = await api(`/routines/${routineId}`).catch(() => null);
    if (!response || !response.ok) {
      status(response && response.status === 404 ? "That routine is gone." : "Editing a routine needs a connection; try again online.");
      return;
    }
    editor = editorFrom(await response.json());
    keepEditor();
    render(() => document.getElementById("routine-name").focus());
  }

  function closeEditor(message) {
    editor = null;
    keepEditor();
    picker = null;
    status(message || "");
    history.replaceState(null, "", location.pathname);
    cache.fetched = 0;
    refreshCache(true);
    render();
  }

  function addRoutineExercise(name) {
    const previous = previousFor(name);
    const rows = previous
      ? previous.sets.filter((set) => set.set_type !== "warmup").slice(0, 1).map((set) => ({ sets: previous.sets.length, reps: String(set.reps), weight_kg: set.weight_kg }))
      : [];
    editor.exercises.push({ id: newId(), name, rows: (rows.length ? rows : [{ sets: 3, reps: "", weight_kg: null }]).map(editorRow) });
    keepEditor();
  }

  function setsProblem(sets) {
    const fine = /^\d{1,4}$/.test(sets) && Number(sets) >= 1 && Number(sets) <= LIMITS.sets;
    return fine ? "" : `Sets must be a whole number from 1 to ${LIMITS.sets}`;
  }

  function repsProblem(reps, sets) {
    const values = reps.replace(/\s+/g, "").replace(/–/g, "-").split(",");
    if (!reps.trim()) return "Enter the reps";
    for (const value of values) {
      const range = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(value);
      if (!range || Number(range[1]) < 1 || (range[2] && Number(range[2]) < Number(range[1])))
        return "Reps are a number from 1 to 999, a range like 8-10, or one value per set like 5,5,3";
    }
    if (values.length > 1 && values.length !== Number(sets)) return `Give one reps value per set (${sets})`;
    return "";
  }

  /** Field id -> message for everything the server would refuse, in words. */
  function editorProblems() {
    const found = {};
    if (!editor.name.trim()) found.name = "Give the routine a name";
    const rowCount = editor.exercises.reduce((sum, exercise) => sum + exercise.rows.length, 0);
    if (!editor.exercises.length) found.exercises = "Add at least one exercise";
    else if (rowCount > LIMITS.rows) found.exercises = `A routine holds at most ${LIMITS.rows} rows; this one has ${rowCount}`;
    for (const exercise of editor.exercises) {
      if (!exercise.name.trim()) found[exercise.id] = "Name the exercise";
      else if (!exercise.rows.length) found[exercise.id] = "Add at least one row of sets";
      for (const row of exercise.rows) {
        const checks = { sets: setsProblem(row.sets), reps: repsProblem(row.reps, row.sets), w: weightProblem(row.w) };
        for (const [field, message] of Object.entries(checks)) if (message) found[`${row.id}-${field}`] = message;
      }
    }
    return found;
  }

  function editorBody() {
    const rows = [];
    for (const exercise of editor.exercises) {
      for (const row of exercise.rows) {
        const item = { name: exercise.name.trim(), sets: Number(row.sets), reps: row.reps.trim(), weight_kg: storedKg(row.w), set_type: row.type };
        if (row.superset) item.superset = row.superset;
        if (row.rpe !== null) item.rpe = row.rpe;
        rows.push(item);
      }
    }
    return { name: editor.name.trim(), notes: editor.notes, exercises: rows };
  }

  /** The server's 422 (FastAPI's list of {loc, msg}) on the fields it names; a row's own rule
   * (reps against sets) goes by its reps. */
  function serverProblems(detail) {
    const found = {};
    const rowIds = editor.exercises.flatMap((exercise) => exercise.rows.map((row) => row.id));
    const fields = { sets: "sets", reps: "reps", weight_kg: "w" };
    for (const item of Array.isArray(detail) ? detail : []) {
      const [, field, index, part] = item.loc || [];
      const message = String(item.msg || "").replace(/^Value error, /, "");
      if (field === "exercises" && typeof index === "number" && rowIds[index]) found[`${rowIds[index]}-${fields[part] || "reps"}`] = message;
      else if (field === "name") found.name = message;
      else found.form = message;
    }
    if (!Array.isArray(detail)) found.form = typeof detail === "string" ? detail : "The server refused this routine.";
    return found;
  }

  async function saveEditor() {
    editor.errors = editorProblems();
    editor.message = "";
    if (Object.keys(editor.errors).length) {
      keepEditor();
      return render(() => {
        const first = document.querySelector("#routine-editor [aria-invalid='true']");
        if (first) first.focus();
      });
    }
    const response = await api(`/routines/${editor.id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(editorBody()),
    }).catch(() => null);
    if (response && response.ok) return closeEditor(`Routine “${editor.name.trim()}” saved.`);
    if (!response) editor.message = "No connection: your changes are kept on this phone; save again when online.";
    else if (response.status === 404) editor.message = "This routine was deleted elsewhere; your changes can't be saved to it.";
    else editor.errors = serverProblems((await response.json().catch(() => ({}))).detail);
    keepEditor();
    render();
  }

  async function deleteEditorRoutine() {
    if (!confirm(`Delete the routine “${editor.name}”? Workouts you logged from it stay.`)) return;
    const response = await api(`/routines/${editor.id}`, { method: "DELETE" }).catch(() => null);
    if (response && (response.ok || response.status === 404)) return closeEditor("Routine deleted.");
    editor.message = "No connection: the routine is not deleted; try again online.";
    render();
  }

  function editorChange(target, field, rerender) {
    return (event) => {
      target[field] = event.target.value;
      keepEditor();
      if (rerender) render();
    };
  }

  function fieldError(id) {
    const message = editor.errors[id];
    return message ? h("p", { class: "error", id: `err-${id}`, role: "alert" }, message) : null;
  }

  function invalid(id) {
    return editor.errors[id] ? { "aria-invalid": "true", "aria-describedby": `err-${id}` } : {};
  }

  function editorRowLine(exercise, row, index) {
    const label = `row ${index + 1} of ${exercise.name || "the exercise"}`;
    const input = (field, name, mode) =>
      h("input", Object.assign({
        class: "field",
        "aria-label": `${name}, ${label}`,
        inputmode: mode,
        autocomplete: "off",
        value: row[field],
        "data-row": row.id,
        "data-field": field,
        oninput: editorChange(row, field, false),
      }, invalid(`${row.id}-${field}`)));
    return h(
      "div",
      { class: "routine-row-wrap" },
      h(
        "div",
        { class: "routine-row" },
        h(
          "select",
          { "aria-label": `Set type, ${label}`, onchange: editorChange(row, "type", true) },
          SET_TYPES.map(([value, name]) => h("option", { value, selected: row.type === value }, name)),
        ),
        input("sets", "Sets", "numeric"),
        input("reps", "Reps", "text"),
        input("w", `Weight (${unit()})`, "decimal"),
        h("button", {
          type: "button",
          class: "delete",
          "aria-label": `Remove ${label}`,
          onclick: () => {
            exercise.rows = exercise.rows.filter((other) => other !== row);
            keepEditor();
            render();
          },
        }, "×"),
      ),
      ["sets", "reps", "w"].map((field) => fieldError(`${row.id}-${field}`)),
    );
  }

  function editorExercise(exercise, position) {
    const count = editor.exercises.length;
    const move = (offset) => {
      const [item] = editor.exercises.splice(position, 1);
      editor.exercises.splice(position + offset, 0, item);
      keepEditor();
      render();
    };
    const title = exercise.name || `Exercise ${position + 1}`;
    return h(
      "section",
      { class: "exercise", "aria-label": `Routine exercise ${position + 1}` },
      h(
        "header",
        {},
        h("input", Object.assign({
          class: "field exercise-name",
          id: `name-${exercise.id}`,
          "aria-label": `Exercise name ${position + 1}`,
          value: exercise.name,
          maxlength: "100",
          oninput: editorChange(exercise, "name", false),
        }, invalid(exercise.id))),
        h(
          "span",
          { class: "tools" },
          h("button", { type: "button", "aria-label": `Move ${title} up`, disabled: position === 0, onclick: () => move(-1) }, "↑"),
          h("button", { type: "button", "aria-label": `Move ${title} down`, disabled: position === count - 1, onclick: () => move(1) }, "↓"),
          h("button", {
            type: "button",
            "aria-label": `Remove ${title}`,
            onclick: () => {
              editor.exercises.splice(position, 1);
              keepEditor();
              render();
            },
          }, "Remove"),
        ),
      ),
      fieldError(exercise.id),
      exercise.rows.length
        ? h("div", { class: "routine-row head", "aria-hidden": "true" }, ["Type", "Sets", "Reps", unit(), ""].map((text) => h("span", {}, text)))
        : null,
      exercise.rows.map((row, index) => editorRowLine(exercise, row, index)),
      h("div", { class: "exercise-actions" }, h("button", {
        type: "button",
        class: "soft",
        "aria-label": `Add a row to ${title}`,
        onclick: () => {
          const last = exercise.rows[exercise.rows.length - 1];
          exercise.rows.push(last ? Object.assign({}, last, { id: newId() }) : editorRow({ sets: 3, reps: "", weight_kg: null }));
          keepEditor();
          render();
        },
      }, "+ Add row")),
    );
  }

  function editorScreen() {
    return h(
      "section",
      { class: "editor", id: "routine-editor", "aria-label": "Edit routine" },
      h("h2", {}, "Edit routine"),
      editor.errors.form ? h("p", { class: "error", role: "alert" }, editor.errors.form) : null,
      editor.message ? h("p", { class: "error", role: "alert" }, editor.message) : null,
      h("label", { class: "stacked", for: "routine-name" }, "Name"),
      h("input", Object.assign({ class: "field", id: "routine-name", value: editor.name, maxlength: "200", autocomplete: "off", oninput: editorChange(editor, "name", false) }, invalid("name"))),
      fieldError("name"),
      h("label", { class: "stacked", for: "routine-notes" }, "Notes"),
      h("textarea", { class: "field notes", id: "routine-notes", maxlength: "5000", rows: "3", oninput: editorChange(editor, "notes", false) }, editor.notes),
      editor.exercises.map(editorExercise),
      fieldError("exercises"),
      picker ? pickerPanel() : addExerciseButton(addRoutineExercise),
      h(
        "div",
        { class: "finish-row" },
        h("button", { type: "button", class: "soft", onclick: () => closeEditor("") }, "Cancel"),
        h("button", { type: "button", class: "primary", id: "save-routine", onclick: saveEditor }, "Save routine"),
      ),
      h("button", { type: "button", class: "soft danger wide", onclick: deleteEditorRoutine }, "Delete routine"),
    );
  }

  // --- rendering ---------------------------------------------------------------------------

  const h = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  };

  function status(message) {
    const line = document.getElementById("logger-status");
    if (line) line.textContent = message;
  }

  function focusField(setId, field) {
    const input = document.querySelector(`[data-set="${setId}"][data-field="${field}"]`);
    if (input) input.focus();
  }

  function bind(set, field) {
    return (event) => {
      set[field] = event.target.value.trim();
      persist();
    };
  }

  function setRow(exercise, set, index, active) {
    const last = previousSet(exercise, index);
    const previousText = last ? `${shown(fromKg(last.weight_kg))} × ${last.reps}` : "—";
    const label = SET_TYPES.find(([value]) => value === set.type)[2] || String(index + 1);
    const error = errors[set.id];
    const errorId = `err-${set.id}`;
    const input = (field, name, mode, placeholder) =>
      h("input", {
        class: `field ${field}`,
        "aria-label": name,
        inputmode: mode,
        enterkeyhint: "done",
        autocomplete: "off",
        value: set[field],
        placeholder,
        "data-set": set.id,
        "data-field": field,
        "aria-invalid": error ? "true" : null,
        "aria-describedby": error ? errorId : null,
        disabled: set.done,
        oninput: bind(set, field),
        onkeydown: (event) => event.key === "Enter" && complete(set.id),
      });
    const stepper = (field, name) =>
      h(
        "span",
        { class: "stepper" },
        h("button", { type: "button", class: "step", "aria-label": `Less ${name.toLowerCase()}`, onclick: () => step(set.id, field, -1) }, "−"),
        h("button", { type: "button", class: "step", "aria-label": `More ${name.toLowerCase()}`, onclick: () => step(set.id, field, 1) }, "+"),
      );
    const row = h(
      "div",
      { class: `set${set.done ? " done" : ""}${active ? " active" : ""}`, "data-set-row": set.id },
      h(
        "select",
        {
          class: "type",
          "aria-label": `Set type, set ${index + 1}`,
          onchange: (event) => {
            set.type = event.target.value;
            persist();
            render();
          },
        },
        SET_TYPES.map(([value, name, short]) =>
          h("option", { value, selected: set.type === value }, short ? `${short} · ${name}` : `${index + 1} · ${name}`),
        ),
      ),
      h("span", { class: "type-label", "aria-hidden": "true" }, label),
      h(
        "button",
        {
          type: "button",
          class: "previous",
          "aria-label": last ? `Previous: ${previousText}` : "No previous set",
          disabled: !last || set.done,
          onclick: () => {
            Object.assign(set, { w: shown(fromKg(last.weight_kg)), r: String(last.reps) });
            persist();
            render();
          },
        },
        previousText,
      ),
      input("w", "Weight", "decimal", last ? shown(fromKg(last.weight_kg)) : unit()),
      input("r", "Reps", "numeric", last ? String(last.reps) : "reps"),
      input("rpe", "RPE", "decimal", "RPE"),
      h(
        "button",
        {
          type: "button",
          class: "tick",
          "aria-label": set.done ? `Undo set ${index + 1}` : "Complete set",
          "aria-pressed": set.done ? "true" : "false",
          onclick: () => complete(set.id),
        },
        "✓",
      ),
      h(
        "button",
        {
          type: "button",
          class: "delete",
          "aria-label": `Delete set ${index + 1}`,
          onclick: () => {
            exercise.sets = exercise.sets.filter((s) => s !== set);
            persist();
            render();
          },
        },
        "×",
      ),
    );
    const extras = [];
    if (active) extras.push(h("div", { class: "steppers" }, h("span", { class: "step-name" }, unit()), stepper("w", "Weight"), h("span", { class: "step-name" }, "reps"), stepper("r", "Reps")));
    if (set.pr) extras.push(h("p", { class: "pr", role: "status" }, `★ ${set.pr}`));
    if (error) extras.push(h("p", { class: "error", id: errorId, role: "alert" }, error));
    return h("div", { class: "set-wrap" }, row, extras);
  }

  function exerciseCard(exercise, position) {
    const firstOpen = exercise.sets.findIndex((s) => !s.done);
    const count = draft.exercises.length;
    const move = (offset) => {
      const list = draft.exercises;
      const [item] = list.splice(position, 1);
      list.splice(position + offset, 0, item);
      persist();
      render();
    };
    const next = draft.exercises[position + 1];
    const linked = next && exercise.superset && next.superset === exercise.superset;
    return h(
      "section",
      { class: `exercise${exercise.superset ? " superset" : ""}`, "aria-label": exercise.name },
      h(
        "header",
        {},
        h("h2", {}, exercise.name),
        exercise.superset ? h("span", { class: "badge" }, `Superset ${String.fromCharCode(64 + exercise.superset)}`) : null,
        h(
          "span",
          { class: "tools" },
          h("button", { type: "button", "aria-label": `Move ${exercise.name} up`, disabled: position === 0, onclick: () => move(-1) }, "↑"),
          h("button", { type: "button", "aria-label": `Move ${exercise.name} down`, disabled: position === count - 1, onclick: () => move(1) }, "↓"),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Remove ${exercise.name}`,
              onclick: () => {
                draft.exercises.splice(position, 1);
                persist();
                render();
              },
            },
            "Remove",
          ),
        ),
      ),
      h(
        "div",
        { class: "set head", "aria-hidden": "true" },
        h("span", {}, "Set"),
        h("span", {}, "Previous"),
        h("span", {}, unit()),
        h("span", {}, "Reps"),
        h("span", {}, "RPE"),
        h("span", {}, "✓"),
        h("span", {}, ""),
      ),
      exercise.sets.map((set, index) => setRow(exercise, set, index, index === firstOpen)),
      h(
        "div",
        { class: "exercise-actions" },
        h(
          "button",
          {
            type: "button",
            class: "soft",
            onclick: () => {
              const last = exercise.sets[exercise.sets.length - 1];
              const set = blankSet("normal");
              if (last) Object.assign(set, { w: last.w, r: last.r });
              exercise.sets.push(set);
              persist();
              render();
            },
          },
          "+ Add set",
        ),
        h(
          "label",
          { class: "rest-default" },
          "Rest ",
          h("input", {
            class: "field",
            "aria-label": `Rest seconds for ${exercise.name}`,
            inputmode: "numeric",
            value: String(exercise.rest),
            onchange: (event) => {
              const seconds = Number(event.target.value);
              if (Number.isInteger(seconds) && seconds >= 0 && seconds <= 900) exercise.rest = seconds;
              persist();
              render();
            },
          }),
          " s",
        ),
        next
          ? h(
              "button",
              {
                type: "button",
                class: "soft",
                "aria-pressed": linked ? "true" : "false",
                onclick: () => {
                  if (linked) {
                    const group = exercise.superset;
                    next.superset = null;
                    if (!draft.exercises.some((e, i) => i !== position && e.superset === group)) exercise.superset = null;
                  } else {
                    const group = exercise.superset || Math.max(0, ...draft.exercises.map((e) => e.superset || 0)) + 1;
                    exercise.superset = group;
                    next.superset = group;
                  }
                  persist();
                  render();
                },
              },
              linked ? "Unlink superset" : "Superset with next",
            )
          : null,
      ),
    );
  }

  function pickerPanel() {
    const words = picker.query.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (text) => words.every((word) => text.toLowerCase().includes(word));
    const recent = cache.previous.map((p) => ({ name: p.name, detail: "recent" }));
    const custom = cache.catalog.filter((e) => e.custom).map((e) => ({ name: e.name, detail: "yours" }));
    const builtin = cache.catalog.filter((e) => !e.custom).map((e) => ({ name: e.name, detail: [e.equipment, e.muscles].filter(Boolean).join(" · ") }));
    const seen = new Set();
    const results = [];
    for (const item of [...recent, ...custom, ...builtin]) {
      const id = identity(item.name);
      if (seen.has(id) || !matches(`${item.name} ${item.detail}`)) continue;
      seen.add(id);
      results.push(item);
      if (results.length >= 30) break;
    }
    const typed = picker.query.trim();
    return h(
      "div",
      { class: "picker", role: "dialog", "aria-label": "Add exercise" },
      h(
        "div",
        { class: "picker-head" },
        h("input", {
          class: "field search",
          id: "exercise-search",
          type: "search",
          "aria-label": "Exercise",
          placeholder: "Search by name, muscle or equipment",
          value: picker.query,
          autocomplete: "off",
          oninput: (event) => {
            picker.query = event.target.value;
            render(() => {
              const box = document.getElementById("exercise-search");
              box.focus();
              box.setSelectionRange(box.value.length, box.value.length);
            });
          },
          onkeydown: (event) => event.key === "Enter" && chooseExercise(results.length ? results[0].name : typed),
        }),
        h("button", { type: "button", class: "soft", onclick: () => { picker = null; render(); } }, "Close"),
      ),
      h(
        "ul",
        { class: "results" },
        results.map((item) =>
          h("li", {}, h("button", { type: "button", class: "result", onclick: () => chooseExercise(item.name) }, h("strong", {}, item.name), h("small", {}, item.detail))),
        ),
        typed && !isKnown(typed)
          ? h("li", {}, h("button", { type: "button", class: "result", onclick: () => chooseExercise(typed) }, h("strong", {}, `Create custom exercise “${typed}”`), h("small", {}, "added to your exercises")))
          : null,
        !results.length && !typed ? h("li", { class: "muted" }, cache.catalog.length ? "Type to search." : "The catalogue loads when you are online; type a name to add your own.") : null,
      ),
    );
  }

  function addExerciseButton(pick) {
    const open = () => {
      picker = { query: "", pick };
      render(() => document.getElementById("exercise-search").focus());
    };
    return h("button", { type: "button", class: "soft wide", id: "add-exercise", onclick: open }, "+ Add exercise");
  }

  function startScreen() {
    const params = new URLSearchParams(location.search);
    return h(
      "div",
      { class: "start" },
      h("p", { class: "muted" }, "No workout in progress."),
      h("button", { type: "button", class: "primary", onclick: () => { draft = newDraft(); persist(); render(); } }, "Start empty workout"),
      cache.routines.length ? h("h2", {}, "Start from a routine") : null,
      h(
        "ul",
        { class: "routines" },
        cache.routines.map((routine) =>
          h(
            "li",
            { class: "routine-item" },
            h(
              "button",
              {
                type: "button",
                class: `result${params.get("routine") === String(routine.id) ? " highlighted" : ""}`,
                onclick: () => {
                  draft = draftFromRoutine(routine);
                  persist();
                  render();
                },
              },
              h("strong", {}, routine.name),
              h("small", {}, `${routine.start.exercises.length} sets, last values filled in`),
            ),
            h("button", { type: "button", class: "soft edit", "aria-label": `Edit routine ${routine.name}`, onclick: () => openEditor(routine.id) }, "Edit"),
          ),
        ),
      ),
    );
  }

  function summaryScreen() {
    const pending = outbox.find((item) => item.key === summary.key);
    return h(
      "section",
      { class: "summary", "aria-label": "Workout summary" },
      h("h2", {}, `${summary.name} — done`),
      h(
        "dl",
        {},
        h("dt", {}, "Duration"),
        h("dd", {}, `${summary.minutes} min`),
        h("dt", {}, "Sets"),
        h("dd", {}, String(summary.sets)),
        h("dt", {}, "Volume"),
        h("dd", {}, `${Math.round(fromKg(summary.volume))} ${unit()}`),
      ),
      summary.prs.length ? h("h3", {}, "PRs") : h("p", { class: "muted" }, "No PRs this time."),
      h("ul", { class: "prs" }, summary.prs.map((text) => h("li", {}, `★ ${text}`))),
      pending && pending.error ? h("p", { class: "error", role: "alert" }, `Not saved: ${pending.error}`) : null,
      pending && !pending.error ? h("p", { class: "muted" }, "offline — saved on this phone, will sync") : null,
      summary.workout_id ? h("p", {}, "Saved. ", h("a", { href: `/workouts/view?id=${summary.workout_id}` }, "See the workout")) : null,
      summary.workout_id && !summary.routine ? h("button", { type: "button", class: "soft", onclick: saveRoutine }, "Save as routine") : null,
      summary.routine ? h("p", { role: "status" }, summary.routine) : null,
      h("button", { type: "button", class: "primary", onclick: () => { summary = null; localStorage.removeItem(key("summary")); render(); } }, "Done"),
    );
  }

  function restBar() {
    if (!rest) return null;
    const left = (rest.ends - Date.now()) / 1000;
    return h(
      "div",
      { class: `rest${left <= 0 ? " over" : ""}`, role: "timer", "aria-label": "Rest timer", "aria-live": "off" },
      h("span", { class: "rest-time" }, left > 0 ? `Rest ${clock(left)}` : "Rest over — next set"),
      h("button", { type: "button", "aria-label": "Rest 15 seconds less", onclick: () => { rest.ends -= REST_STEP_S * 1000; render(); } }, "−15"),
      h("button", { type: "button", "aria-label": "Rest 15 seconds more", onclick: () => { rest.ends += REST_STEP_S * 1000; render(); } }, "+15"),
      h("button", { type: "button", "aria-label": "Skip rest", onclick: () => { rest = null; render(); } }, "Skip"),
    );
  }

  function focusedSelector() {
    const active = document.activeElement;
    if (!active || active === document.body || !root.contains(active)) return null;
    if (active.id) return `#${active.id}`;
    if (active.dataset.set) return `[data-set="${active.dataset.set}"][data-field="${active.dataset.field}"]`;
    if (active.dataset.row) return `[data-row="${active.dataset.row}"][data-field="${active.dataset.field}"]`;
    return null;
  }

  function render(after) {
    const scroll = window.scrollY;
    const focused = focusedSelector();
    const caret = focused && document.activeElement.selectionStart;
    const body = [];
    if (!uid) {
      body.push(h("p", {}, "Sign in to log a workout. ", h("a", { href: "/login?next=%2Fworkouts%2Flog" }, "Sign in")));
    } else if (summary) {
      body.push(summaryScreen());
    } else if (editor) {
      body.push(editorScreen());
    } else if (!draft) {
      body.push(startScreen());
    } else {
      body.push(
        h("div", { class: "top" },
          h("input", { class: "field name", "aria-label": "Workout name", value: draft.name, maxlength: "200", oninput: (event) => { draft.name = event.target.value; persist(); } }),
          h("span", { class: "session", role: "timer", "aria-label": "Session time", id: "session-time" }, clock((Date.now() - draft.started) / 1000)),
        ),
        draft.exercises.length ? null : h("p", { class: "muted" }, "No exercises yet: add one."),
        draft.exercises.map(exerciseCard),
        picker ? pickerPanel() : addExerciseButton(addExercise),
        errors.finish ? h("p", { class: "error", role: "alert" }, errors.finish) : null,
        h("div", { class: "finish-row" },
          h("button", { type: "button", class: "soft danger", onclick: () => { if (confirm("Discard this workout? Nothing of it is saved.")) { draft = null; rest = null; persist(); render(); } } }, "Discard"),
          h("button", { type: "button", class: "primary", id: "finish-workout", onclick: finish }, "Finish workout"),
        ),
      );
    }
    const main = document.getElementById("logger-main");
    main.replaceChildren(...body.flat(Infinity).filter(Boolean));
    const bar = document.getElementById("logger-rest");
    bar.replaceChildren(...[restBar()].filter(Boolean));
    window.scrollTo(0, scroll);
    const again = focused && document.querySelector(focused);
    if (again && !again.disabled) {
      again.focus();
      if (typeof caret === "number" && again.setSelectionRange) again.setSelectionRange(caret, caret);
    }
    if (after) after();
  }

  function tick() {
    const session = document.getElementById("session-time");
    if (session && draft) session.textContent = clock((Date.now() - draft.started) / 1000);
    if (rest) {
      const left = (rest.ends - Date.now()) / 1000;
      const label = document.querySelector("#logger-rest .rest-time");
      if (label) label.textContent = left > 0 ? `Rest ${clock(left)}` : "Rest over — next set";
      if (left <= 0 && !rest.alerted) {
        rest.alerted = true;
        restAlert();
        document.querySelector("#logger-rest .rest").classList.add("over");
      }
    }
  }

  const wanted = new URLSearchParams(location.search).get("routine");
  function startWanted() {
    const routine = cache.routines.find((r) => String(r.id) === wanted);
    if (draft || summary || !routine) return;
    draft = draftFromRoutine(routine);
    persist();
    render();
  }
  const editWanted = new URLSearchParams(location.search).get("edit");
  if (uid) summary = load("summary", null);
  if (uid && editWanted && !(editor && String(editor.id) === editWanted)) openEditor(editWanted);
  startWanted();
  render();
  if (uid) {
    const known = cache.routines.some((r) => String(r.id) === wanted);
    refreshCache(Boolean(wanted) && !known).then(startWanted);
    sync();
    window.addEventListener("online", () => { status(""); sync(); refreshCache(false); });
    window.addEventListener("offline", () => status(outbox.length ? "offline — saved on this phone, will sync" : "offline — your workout is kept on this phone"));
    setInterval(() => outbox.length && navigator.onLine && sync(), SYNC_EVERY_MS);
  }
  setInterval(tick, 1000);
})();
