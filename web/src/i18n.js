// Every string the app shows, in one place. A clinic adds a language by adding a dictionary here: missing
// keys fall back to English. {name} placeholders are filled by t(key, {name: value}).
// The red-flag advice ships with the app so it shows offline; online, the server's advice (with the
// clinic's own contact texts) is shown instead.
const en = {
  app_name: 'Rehab Tracker',
  loading: 'Loading…',
  offline: 'Offline',
  offline_banner: 'You are offline. What you log is kept on this phone and sent when you are back online.',
  waiting_sync: '{n} waiting to sync',
  synced: 'All entries sent',
  sync_now: 'Send now',
  rejected_title: 'Not accepted by the clinic’s server',
  rejected_help: 'These entries were not stored. Read why, then dismiss them.',
  dismiss: 'Dismiss',
  // sign in
  sign_in: 'Sign in',
  sign_in_title: 'Sign in to Rehab Tracker',
  username: 'Username',
  password: 'Password',
  sign_in_failed: 'Sign-in failed: {reason}',
  sign_out: 'Sign out',
  sign_out_unsent: '{n} entries have not been sent yet and will be lost if you sign out now. Sign out anyway?',
  session_ended: 'Your session has ended. Please sign in again.',
  language: 'Language',
  // navigation
  nav_today: 'Today',
  nav_checkin: 'Check-in',
  nav_progress: 'Progress',
  nav_reminders: 'Reminders',
  nav_inbox: 'Inbox',
  nav_main: 'Main',
  back_today: 'Back to today',
  // today
  today_title: 'Today',
  week_of: 'Week {week} of 12',
  state_rest: 'Rest day. No exercises today — your next training day is coming up.',
  state_paused: 'Your program is paused by your clinic. No exercises for now.',
  state_no_program: 'You have no exercise program yet. Your physiotherapist will set one up.',
  state_completed: 'You have finished your 12-week program. Well done!',
  state_red_flag: 'Your exercises are on hold',
  progress_ring: '{done} of {total} sets done today',
  sets_reps: '{sets} sets × {reps} reps',
  session_am: 'Morning',
  session_pm: 'Evening',
  load: 'Load',
  load_kg: '{kg} kg',
  body_weight: 'Body weight',
  suggested_load: 'Suggested load: {kg} kg ({rm} RM)',
  sets_done: '{done} of {sets} sets done',
  log_set: 'Log a set',
  log_set_side: 'Log a {side} set',
  left: 'left',
  right: 'right',
  reps: 'Reps',
  pain_during: 'Pain during the set (0–10)',
  pain_value: 'Pain: {n} of 10',
  zone_safe: '0–2: safe',
  zone_ok: '3–5: acceptable',
  zone_high: 'Above 5: too much — next time use less load or fewer reps',
  pain_guide_short: 'If pain or stiffness is worse than usual the next morning, lower the load.',
  save_set: 'Save set',
  cancel: 'Cancel',
  set_logged: 'Set logged',
  undo: 'Undo',
  undone: 'Set taken back',
  all_done: 'All sets done for today. Well done!',
  progression: 'Time to add load',
  visa_a_prompt: 'Your clinic asks you to fill in the VISA-A questionnaire.',
  visa_a_open: 'Open the questionnaire',
  checkin_prompt: 'How is your tendon this morning?',
  checkin_open: 'Morning check-in',
  cached_note: 'Shown from this phone’s copy of {date}.',
  exercise_eccentric_heel_drop_straight: 'Heel drop, knee straight',
  exercise_eccentric_heel_drop_bent: 'Heel drop, knee bent',
  exercise_seated_calf_raise: 'Seated calf raise',
  exercise_standing_calf_raise: 'Standing calf raise',
  exercise_leg_press_calf_raise: 'Calf raise on the leg press',
  // check-in
  checkin_title: 'Morning check-in',
  morning_pain: 'Pain in the tendon this morning (0–10)',
  stiffness: 'Minutes of stiffness after getting up',
  red_flags_legend: 'Since your last check-in, have you had any of these?',
  rf_sudden_pop: 'A sudden pop, or a feeling of being kicked in the heel',
  rf_cannot_heel_raise: 'I cannot rise onto the toes of the affected leg',
  rf_swelling_or_redness: 'The tendon is warm, red or swollen',
  rf_fever: 'Fever, or feeling unwell',
  rf_fluoroquinolone_or_steroid: 'New pain after an antibiotic (a quinolone, e.g. ciprofloxacin) or steroids',
  send_checkin: 'Send check-in',
  checkin_saved: 'Check-in saved. Thank you.',
  // advice (CLINICAL §8), shown at once, offline too
  advice_title: 'Stop your exercises',
  advice_suspected_rupture_title: 'Your tendon may be torn',
  advice_suspected_rupture:
    'Stop your exercises now. Do not test the tendon by hopping or rising onto your toes. You need to be seen today: call your clinic; if the clinic is closed, go to an urgent care centre or emergency department. Being able to walk does not rule a tear out.',
  advice_inflammation_title: 'Your tendon may be inflamed or infected',
  advice_inflammation:
    'Stop your exercises and contact your clinic today. If you have a fever or feel unwell and the clinic is closed, go to an urgent care centre.',
  advice_drug_related_title: 'Your pain may be caused by a medicine',
  advice_drug_related:
    'Stop your exercises and contact the doctor who prescribed the medicine today. Do not stop a prescribed medicine without their advice.',
  advice_told: 'Your physician has been told. Your clinic will contact you.',
  advice_told_offline: 'Your physician will be told as soon as this phone is back online.',
  // VISA-A (Robinson et al. 2001)
  visa_title: 'VISA-A questionnaire',
  visa_intro: 'Eight questions about your Achilles tendon. 100 means no symptoms.',
  visa_q1: '1. For how many minutes do you have stiffness in the Achilles region on first getting up? (0 = 100 min, 10 = 0 min)',
  visa_q2: '2. Once you are warmed up for the day, do you have pain when stretching the Achilles tendon fully over the edge of a step (keeping the knee straight)? (0 = strong severe pain, 10 = no pain)',
  visa_q3: '3. After walking on flat ground for 10 minutes, do you have pain within the next 2 hours? (0 = strong severe pain, 10 = no pain)',
  visa_q4: '4. Do you have pain walking downstairs with a normal gait cycle? (0 = strong severe pain, 10 = no pain)',
  visa_q5: '5. Do you have pain during or immediately after doing 10 (single-leg) heel raises from a flat surface? (0 = strong severe pain, 10 = no pain)',
  visa_q6: '6. How many single-leg hops can you do without pain? (0 = none, 10 = 10)',
  visa_q7: '7. Are you currently undertaking sport or other physical activity?',
  visa_q7_0: 'Not at all',
  visa_q7_4: 'Modified training ± modified competition',
  visa_q7_7: 'Full training ± competition but not at the same level as when symptoms began',
  visa_q7_10: 'Competing at the same or higher level as when symptoms began',
  visa_q8: '8. Which statement fits you best when you do Achilles-loading sport?',
  visa_q8_A: 'A: I have no pain while undertaking Achilles tendon loading sports',
  visa_q8_B: 'B: I have pain while undertaking Achilles tendon loading sport but it does not stop me from completing the activity',
  visa_q8_C: 'C: I have pain that stops me from completing Achilles tendon loading sports',
  visa_q8_how_long: 'For how long can you train or practise?',
  visa_q8_A_opts: 'Nil|1–10 minutes|11–20 minutes|21–30 minutes|More than 30 minutes',
  visa_q8_C_opts: 'Nil|1–10 minutes|11–20 minutes|21–30 minutes|More than 30 minutes',
  visa_q8_B_opts: 'Nil|1–10 minutes|11–20 minutes|21–30 minutes|More than 30 minutes',
  visa_submit: 'Send questionnaire',
  visa_score: 'Your VISA-A score: {score} of 100',
  visa_score_offline: 'Your score: {score} of 100. It will be sent when you are back online.',
  visa_incomplete: 'Please answer every question.',
  // progress
  progress_title: 'Your progress',
  adherence_by_week: 'Sets done, week by week',
  adherence_overall: 'Overall: {pct}% of prescribed sets',
  pain_trend: 'Morning pain, check-in by check-in',
  visa_history: 'VISA-A over time (100 = no symptoms)',
  no_data: 'Nothing yet.',
  chart_week: 'Week {week}: {pct}%',
  // reminders
  reminders_title: 'Reminders',
  reminders_enabled: 'Remind me to exercise',
  reminder_times: 'Reminder times',
  add_time: 'Add a time',
  remove_time: 'Remove {time}',
  timezone_line: 'Times are in your time zone: {tz}',
  timezone_update: 'Use this phone’s time zone ({tz})',
  save: 'Save',
  saved: 'Saved',
  push_title: 'Notifications on this phone',
  push_on: 'Turn on notifications',
  push_off: 'Turn off notifications',
  push_is_on: 'Notifications are on for this phone.',
  push_unsupported: 'This browser cannot show notifications from Rehab Tracker.',
  push_denied: 'Notifications are blocked for this site in the browser’s settings.',
  // inbox
  inbox_title: 'Notifications',
  inbox_empty: 'No notifications yet.',
  // clinician
  clinician_title: 'Caseload',
  error: 'Something went wrong: {reason}',
  retry: 'Try again',
  network_error: 'The server cannot be reached.',
};

const da = {
  app_name: 'Rehab Tracker',
  loading: 'Indlæser…',
  offline: 'Offline',
  offline_banner: 'Du er offline. Det, du registrerer, gemmes på telefonen og sendes, når du er online igen.',
  waiting_sync: '{n} venter på at blive sendt',
  sign_in: 'Log ind',
  sign_in_title: 'Log ind i Rehab Tracker',
  username: 'Brugernavn',
  password: 'Adgangskode',
  sign_out: 'Log ud',
  language: 'Sprog',
  nav_today: 'I dag',
  nav_checkin: 'Morgentjek',
  nav_progress: 'Fremskridt',
  nav_reminders: 'Påmindelser',
  nav_inbox: 'Beskeder',
  today_title: 'I dag',
  week_of: 'Uge {week} af 12',
  state_rest: 'Hviledag. Ingen øvelser i dag.',
  state_paused: 'Dit program er sat på pause af klinikken.',
  log_set: 'Registrér et sæt',
  reps: 'Gentagelser',
  save_set: 'Gem sæt',
  cancel: 'Annullér',
  set_logged: 'Sæt registreret',
  undo: 'Fortryd',
  zone_safe: '0–2: sikkert',
  zone_ok: '3–5: acceptabelt',
  zone_high: 'Over 5: for meget — brug mindre belastning eller færre gentagelser næste gang',
  advice_title: 'Stop dine øvelser',
  save: 'Gem',
};

export const LANGUAGES = { en: 'English', da: 'Dansk' };
const dictionaries = { en, da };
let current = 'en';

export function setLanguage(code) {
  current = dictionaries[code] ? code : 'en';
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export function language() {
  return current;
}

export function pickLanguage(saved, preferred = []) {
  if (saved && dictionaries[saved]) return saved;
  for (const tag of preferred) {
    const code = String(tag).slice(0, 2).toLowerCase();
    if (dictionaries[code]) return code;
  }
  return 'en';
}

export function t(key, vars = {}) {
  const text = dictionaries[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}
