/* The PR rule of services/strength.py for the live logger, which shows PRs with no signal.
 *
 * The parameters (the e1RM rep cap, Epley's divisor, the decimals an e1RM is kept to) are not
 * written here: the server puts services/strength.py's E1rmRule in the logger page
 * (api/logger_page.py) and every function takes it. tests/unit/test_strength_js.py runs this
 * file in node against the Python rule on the same sets, so the two cannot drift apart.
 */
(function (scope) {
  "use strict";

  /** Python's round(x, decimals) for x >= 0: half to even on the double's exact value. */
  function roundLikePython(x, decimals) {
    const exact = x.toFixed(100);
    const cut = exact.indexOf(".") + decimals + 1;
    const rest = exact.slice(cut);
    if (!/^50*$/.test(rest)) return Number(x.toFixed(decimals));
    const kept = exact.slice(0, decimals ? cut : cut - 1);
    const even = Number(kept[kept.length - 1]) % 2 === 0;
    return even ? Number(kept) : Number(x.toFixed(decimals));
  }

  /** Epley e1RM of one set: a single counts as itself; none above the rep cap or without weight. */
  function e1rm(rule, kg, reps) {
    if (!(kg > 0) || reps < 1 || reps > rule.max_reps) return null;
    return roundLikePython(reps === 1 ? kg : kg * (1 + reps / rule.divisor), rule.decimals);
  }

  /**
   * Which PRs a completed set sets: it beats the best before it, that is the user's stored best
   * (`history`: {e1rm, weight}, null where there is none: the first session is the baseline) and
   * the working sets done earlier in this session (`earlier`: [{kg, reps, type}]). Warm-ups
   * never count.
   */
  function prFlags(rule, history, earlier, set) {
    const none = { e1rm: false, weight: false };
    if (set.type === "warmup") return none;
    const working = earlier.filter((s) => s.type !== "warmup");
    const estimate = e1rm(rule, set.kg, set.reps);
    const bestE1rm = Math.max(history.e1rm ?? -Infinity, ...working.map((s) => e1rm(rule, s.kg, s.reps) ?? -Infinity));
    const bestWeight = Math.max(history.weight ?? -Infinity, ...working.map((s) => s.kg));
    return {
      e1rm: history.e1rm !== null && estimate !== null && estimate > bestE1rm,
      weight: history.weight !== null && set.kg > bestWeight,
    };
  }

  scope.CadenceStrength = { e1rm, prFlags };
})(self);
