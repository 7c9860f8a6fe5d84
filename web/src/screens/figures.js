// How each exercise is done, drawn for this app: a side view of the leg (thigh, shank, foot) on a step or a
// flat floor, knee straight or bent, the heel moving between up on the toes and lowered. The lowering leg is
// drawn solid, the leg that rises (the other one, or both) outlined. It animates with the player's phase
// (`phase`: rise or lower) and stands still with prefers-reduced-motion (styles.css). Loaded with the player.
import { html } from '../ui.js';
import { t } from '../i18n.js';

// Each pose: hip, knee, ankle, toe points of a side view (x to the right, y down), heel up vs heel down.
const POSES = {
  straight: { hip: [60, 20], knee: [60, 70], ankle: [62, 118] },
  bent: { hip: [30, 40], knee: [70, 62], ankle: [62, 118] },
  seated: { hip: [18, 62], knee: [70, 62], ankle: [66, 118] },
  press: { hip: [18, 100], knee: [60, 64], ankle: [104, 48] },
};

const KIND = {
  eccentric_heel_drop_straight: 'straight',
  eccentric_heel_drop_bent: 'bent',
  standing_calf_raise: 'straight',
  seated_calf_raise: 'seated',
  leg_press_calf_raise: 'press',
};

function leg(pose, up, below, cls) {
  const [hx, hy] = pose.hip;
  const [kx, ky] = pose.knee;
  const [ax, ay] = pose.ankle;
  if (pose === POSES.press) {
    // lying back, the forefoot against the plate: the ankle turns about the ball of the foot
    const toe = [ax + 14, ay - 16];
    return html`<g class=${`${cls}${up ? ' up' : ''}`}><polyline class="shank" points=${`${hx},${hy} ${kx},${ky} ${ax},${ay}`} />
      <line class="foot" x1=${ax} y1=${ay} x2=${toe[0]} y2=${toe[1]} style=${`transform-origin: ${toe[0]}px ${toe[1]}px`} /></g>`;
  }
  // drawn heel down (to neutral, or below the forefoot off a step); "up" lifts the leg and turns the foot
  // about the toes (styles.css), so that the change between the two is a movement
  const drop = below ? 10 : 0;
  const toeX = ax + 24;
  return html`<g class=${`${cls}${up ? ' up' : ''}`}><polyline class="shank" points=${`${hx},${hy} ${kx},${ky + drop / 2} ${ax},${ay + drop}`} />
    <line class="foot" x1=${ax - 4} y1=${ay + drop} x2=${toeX} y2="120" style=${`transform-origin: ${toeX}px 120px`} /></g>`;
}

function ground(kind, below) {
  if (kind === 'press') return html`<line class="ground" x1="112" y1="20" x2="132" y2="76" />`;
  if (below) {
    // a step: the forefoot on its edge, the heel free to go below
    return html`<path class="ground" d="M70 121 H130 V140 M0 140 H70" />`;
  }
  return html`<line class="ground" x1="0" y1="121" x2="140" y2="121" />`;
}

/** Alt text: what the picture shows, in words. */
export function describe(exercise, movement) {
  const kind = KIND[exercise] || 'straight';
  const parts = [t(`fig_${kind}`)];
  parts.push(movement.heel_below_forefoot ? t('fig_step') : t('fig_flat'));
  if (movement.lowering_leg) {
    parts.push(t('fig_lower_one', { leg: t(movement.lowering_leg) }));
    parts.push(t('fig_rise_other'));
  } else if (exercise.startsWith('eccentric')) {
    parts.push(t('fig_rise_both_lower_one'));
  } else {
    parts.push(t('fig_both'));
  }
  return parts.join(' ');
}

/** The illustration; `phase` (rise, lower, rise_other) moves it; without one it shows both positions. */
export function Figure({ exercise, movement, phase = null, seconds = 1 }) {
  const kind = KIND[exercise] || 'straight';
  const pose = POSES[kind];
  const below = movement.heel_below_forefoot && kind !== 'seated' && kind !== 'press';
  // The lowering leg is drawn at where the phase ends (CSS moves it there); the other leg, outlined, is up
  // on the toes while the lowering is on one leg only, and moves with it when both legs work.
  const mainUp = phase === 'rise' || phase === 'rise_other';
  const otherUp = phase == null || Boolean(movement.lowering_leg) || mainUp;
  const label = describe(exercise, movement);
  return html`<figure class="figure">
    <svg viewBox="0 0 140 142" width="100%" height="180" role="img" aria-label=${label}
      class=${`fig fig-${kind}${phase ? ` fig-${phase}` : ''}`} data-testid="figure" style=${`--phase-s: ${seconds}s`}>
      <title>${label}</title>
      ${ground(kind, below)}
      ${kind === 'seated' && html`<rect class="seat" x="4" y="66" width="36" height="8" />`}
      ${leg(pose, otherUp, below, 'fig-leg fig-other')}
      ${leg(pose, mainUp, below, 'fig-leg fig-main')}
    </svg>
    <figcaption class="muted">${label}</figcaption>
  </figure>`;
}
