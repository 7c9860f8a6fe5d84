// The exercise player (loaded when a set is started): the illustration and cues, the tempo with a visual
// count (and, if turned on, a beep and a vibration at each phase change), the rep counter, pause, stop, or
// counting at one's own pace; the screen kept on while the set runs. It ends with the counted reps, which the
// log sheet takes. Every phase change is announced in an aria-live region.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { kvGet, kvSet } from '../db.js';
import { t } from '../i18n.js';
import { phasesOf, schedule, stateAt } from '../tempo.js';
import { FindRm, html } from '../ui.js';
import { Demonstration } from './demonstrations.js';
import { Figure } from './figures.js';

// What the player recorded of the last set (phase changes: scheduled and actual, ms from the start): the
// browser tests and bench/web.py read the tempo's drift from it.
window.rehabPlayer = { trace: [] };

let audio = null;
function beep(frequency = 880, ms = 120) {
  try {
    audio ||= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + ms / 1000);
  } catch {
    // no Web Audio here: the visual count stays
  }
}

export function signal({ sound, vibrate }, frequency) {
  if (sound) beep(frequency);
  if (vibrate) navigator.vibrate?.(80);
}

/** The patient's choice of sound and vibration, kept on the phone. */
export function useCues() {
  const [cues, setCues] = useState({ sound: false, vibrate: false });
  useEffect(() => {
    kvGet('player:cues').then((saved) => saved && setCues(saved));
  }, []);
  const change = (next) => {
    setCues(next);
    kvSet('player:cues', next);
  };
  return [cues, change];
}

function useWakeLock(active) {
  useEffect(() => {
    if (!active || !navigator.wakeLock) return undefined;
    let lock = null;
    let gone = false;
    const take = async () => {
      try {
        lock = await navigator.wakeLock.request('screen');
        if (gone) lock.release();
      } catch {
        lock = null; // refused (battery saver, hidden page): the set goes on
      }
    };
    const again = () => document.visibilityState === 'visible' && !gone && take(); // released when hidden
    take();
    document.addEventListener('visibilitychange', again);
    return () => {
      gone = true;
      document.removeEventListener('visibilitychange', again);
      lock?.release().catch(() => {});
    };
  }, [active]);
}

const PHASE_TEXT = { rise: 'phase_rise', lower: 'phase_lower', rise_other: 'phase_rise_other' };

export function Player({ item, side, onFinish, onClose }) {
  const [cues, onCues] = useCues();
  const phases = phasesOf(item.tempo_seconds);
  const [mode, setMode] = useState('tempo'); // tempo | own (tap to count)
  const [run, setRun] = useState(null); // {start, pausedMs, pausedAt}
  const [now, setNow] = useState(performance.now());
  const [tapped, setTapped] = useState(0);
  const [spoken, setSpoken] = useState('');
  const last = useRef(null);
  const heading = useRef(null);
  const state = run ? stateAt(phases, item.reps, (run.pausedAt ?? now) - run.start - run.pausedMs) : null;
  useWakeLock(Boolean(run) && run.pausedAt == null && !state?.done);

  useEffect(() => heading.current?.focus(), []);

  // One timer to the next moment the display changes, computed from the start: no drift from late ticks.
  useEffect(() => {
    if (!run || run.pausedAt != null || !state || state.done) return undefined;
    const due = run.start + run.pausedMs + state.nextAt;
    const timer = setTimeout(() => setNow(performance.now()), Math.max(0, due - performance.now()));
    return () => clearTimeout(timer);
  }, [run, now]);

  // Phase changes: recorded (as soon as the page shows them), announced, signalled.
  useLayoutEffect(() => {
    if (!state) return;
    const key = state.done ? 'done' : `${state.rep}:${state.phase}`;
    if (key === last.current) return;
    last.current = key;
    if (state.done) {
      setSpoken(t('set_finished', { reps: item.reps }));
      signal(cues, 1320);
      onFinish(item.reps);
      return;
    }
    const scheduled = run.pausedMs + state.phaseStart;
    window.rehabPlayer.trace.push({ rep: state.rep, phase: state.name, scheduled, at: performance.now() - run.start });
    setSpoken(`${t('rep_of', { rep: state.rep, reps: item.reps })}: ${t(PHASE_TEXT[state.name])}`);
    signal(cues, state.name === 'lower' ? 660 : 880);
  }, [state?.rep, state?.phase, state?.done]);

  const start = () => {
    window.rehabPlayer = { trace: [], schedule: schedule(phases, item.reps), tempo: item.tempo_seconds };
    last.current = null;
    const at = performance.now();
    setNow(at);
    setRun({ start: at, pausedMs: 0, pausedAt: null });
  };
  const pause = () => {
    const at = performance.now();
    setNow(at);
    setRun((r) => ({ ...r, pausedAt: at }));
    setSpoken(t('paused'));
  };
  const resume = () => {
    const at = performance.now();
    setNow(at);
    setRun((r) => ({ ...r, pausedMs: r.pausedMs + (at - r.pausedAt), pausedAt: null }));
  };
  const stop = () => onFinish(mode === 'own' ? tapped : state ? state.reps : 0);
  const tap = () => {
    const n = tapped + 1;
    setTapped(n);
    setSpoken(t('reps_counted', { n }));
    signal(cues, 880);
  };
  const skipRise = () => {
    // the untimed rise is the patient's: a tap moves the start so that the next rep begins now
    if (!state || state.name !== 'rise_other') return;
    const left = run.start + run.pausedMs + state.phaseStart + phases[state.phase].seconds * 1000 - performance.now();
    setRun((r) => ({ ...r, pausedMs: r.pausedMs - left }));
    setNow(performance.now());
  };

  const cue = item.note ? item.note.split('. ').slice(0, 3) : [];
  const counted = mode === 'own' ? tapped : state ? state.reps : 0;
  return html`<section class=${run && !state?.done ? 'player running' : 'player'} aria-labelledby="player-title">
    <h2 id="player-title" tabindex="-1" ref=${heading}>${t('player_title', { name: item.name })}${side ? ` (${t(side)})` : ''}</h2>
    <${Demonstration} exercise=${item.exercise} fallback=${html`<${Figure} exercise=${item.exercise}
      movement=${item.movement} phase=${mode === 'tempo' && state && !state.done ? state.name : null}
      seconds=${state && !state.done ? phases[state.phase].seconds : 1} />`} />
    ${item.find_rm && html`<${FindRm} rm=${item.rm} />`}
    ${cue.length > 0 && html`<ul class="cues">${cue.map((line) => html`<li>${line.replace(/\.$/, '')}.</li>`)}</ul>`}
    <p class="visually-hidden" aria-live="assertive" data-testid="player-live">${spoken}</p>
    ${mode === 'tempo'
      ? html`<div class="phase" data-testid="phase" data-phase=${state?.name ?? 'ready'} aria-hidden="true">
          ${!state && html`<span>${item.tempo_seconds.rise == null
            ? t('tempo_is_lower_only', { lower: item.tempo_seconds.lower })
            : t('tempo_is', { lower: item.tempo_seconds.lower, rise: item.tempo_seconds.rise })}</span>`}
          ${state && !state.done && html`<span class="phase-name">${t(PHASE_TEXT[state.name])}</span>
            ${state.count != null && html`<span class="phase-count">${state.count}</span>`}`}
          ${state?.done && html`<span class="phase-name">${t('set_done')}</span>`}
        </div>`
      : html`<button type="button" class="tap" onClick=${tap}>${t('tap_to_count')}</button>`}
    <p class="reps" data-testid="reps">${t('reps_counted_of', { n: counted, reps: item.reps })}</p>
    <div class="row">
      ${mode === 'tempo' && !run && html`<button type="button" class="big" onClick=${start}>${t('start_tempo')}</button>`}
      ${mode === 'tempo' && run && !state?.done && (run.pausedAt != null
        ? html`<button type="button" class="big" onClick=${resume}>${t('player_resume')}</button>`
        : html`<button type="button" class="secondary" onClick=${pause}>${t('player_pause')}</button>`)}
      ${mode === 'tempo' && state?.name === 'rise_other' && html`<button type="button" class="secondary" onClick=${skipRise}>${t('next_rep')}</button>`}
      ${(run || mode === 'own') && html`<button type="button" class="big" onClick=${stop}>${t('stop_and_log')}</button>`}
    </div>
    <div class="row">
      ${!run && html`<button type="button" class="link" onClick=${() => setMode(mode === 'tempo' ? 'own' : 'tempo')}>
        ${mode === 'tempo' ? t('own_pace') : t('use_tempo')}</button>`}
      <button type="button" class="link" onClick=${onClose}>${t('close_player')}</button>
    </div>
    <fieldset class="cues-toggle"><legend>${t('cues')}</legend>
      <label><input type="checkbox" checked=${cues.sound} onChange=${(e) => onCues({ ...cues, sound: e.currentTarget.checked })} /> ${t('cue_sound')}</label>
      <label><input type="checkbox" checked=${cues.vibrate} onChange=${(e) => onCues({ ...cues, vibrate: e.currentTarget.checked })} /> ${t('cue_vibrate')}</label>
    </fieldset>
  </section>`;
}
