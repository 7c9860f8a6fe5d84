// The player's clock: where a set is at any moment, computed from when it started (and how long it was
// paused), never from counted ticks — a late timer or a hidden page cannot make the tempo drift.

// Alfredson's rise is done with the other leg and is not timed: the player leaves this long for it (a tap
// skips it), shown without a count.
export const UNTIMED_RISE_SECONDS = 2;

/** The phases of one rep: HSR starts at the bottom (rise, then lower); Alfredson starts up on the toes. */
export function phasesOf(tempo) {
  if (tempo.rise == null) {
    return [
      { name: 'lower', seconds: tempo.lower, counted: true },
      { name: 'rise_other', seconds: UNTIMED_RISE_SECONDS, counted: false },
    ];
  }
  return [
    { name: 'rise', seconds: tempo.rise, counted: true },
    { name: 'lower', seconds: tempo.lower, counted: true },
  ];
}

export function cycleMs(phases) {
  return phases.reduce((ms, p) => ms + p.seconds * 1000, 0);
}

/**
 * The set at `elapsedMs` (time run, pauses excluded) for `reps` reps: {done, reps (completed), rep (1-based
 * rep under way), phase, name, count (seconds left, shown), phaseStart and nextAt (ms from the start: this
 * phase's beginning, and the next moment the display changes)}.
 */
export function stateAt(phases, reps, elapsedMs) {
  const cycle = cycleMs(phases);
  const completed = Math.floor(Math.max(elapsedMs, 0) / cycle);
  if (completed >= reps) return { done: true, reps, rep: reps, phase: -1, name: 'done', count: 0, phaseStart: reps * cycle, nextAt: null };
  let offset = completed * cycle;
  let index = 0;
  while (elapsedMs >= offset + phases[index].seconds * 1000) {
    offset += phases[index].seconds * 1000;
    index += 1;
  }
  const phase = phases[index];
  const into = elapsedMs - offset;
  const seconds = Math.floor(into / 1000);
  return {
    done: false,
    reps: completed,
    rep: completed + 1,
    phase: index,
    name: phase.name,
    count: phase.counted ? phase.seconds - seconds : null,
    phaseStart: offset,
    nextAt: offset + Math.min((seconds + 1) * 1000, phase.seconds * 1000),
  };
}

/** The scheduled start (ms from the set's start) of every phase of a set: what drift is measured against. */
export function schedule(phases, reps) {
  const starts = [];
  let at = 0;
  for (let rep = 1; rep <= reps; rep += 1) {
    for (const [index, phase] of phases.entries()) {
      starts.push({ rep, phase: index, name: phase.name, at });
      at += phase.seconds * 1000;
    }
  }
  return starts;
}

/** Seconds of rest left at `now` for a rest that ends at `endsAt` (epoch ms): right after a locked phone too. */
export function restLeft(endsAt, now = Date.now()) {
  return Math.max(0, Math.ceil((endsAt - now) / 1000));
}

/** 150 → "2:30". */
export function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
