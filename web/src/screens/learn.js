// The introduction (shown once per account on the first sign-in, skippable) and the Learn screen that keeps
// it: the condition, why daily loading for 12 weeks, the pain allowed (the server's zones, rules.js), the
// warning signs, reminders and offline, and the pathway if exercise is not enough (docs/clinical.md §1, §5, §8).
// Loaded only when shown: its texts bring their own dictionaries, in English and Danish.
import { useState } from 'preact/hooks';
import { addStrings, t } from '../i18n.js';
import { rules } from '../rules.js';
import { html, Screen } from '../ui.js';

addStrings('en', {
  learn_title: 'About your tendon and the program',
  intro_title: 'Welcome to Rehab Tracker',
  intro_step: 'Part {n} of {total}',
  intro_next: 'Next',
  intro_back: 'Back',
  intro_skip: 'Skip the introduction',
  intro_done: 'Start',
  intro_again: 'Show the introduction again',
  learn_what_title: 'What Achilles tendinopathy is',
  learn_what:
    'The Achilles tendon joins your calf muscles to your heel bone. In tendinopathy it is painful and stiff because it has been loaded more than it could recover from — runners often get it. In most people the sore part is the middle of the tendon, 2–3 cm above the heel (mid-portion). In some it is where the tendon attaches to the heel bone (insertional). Your physio has told you which you have, and your exercises fit it.',
  learn_why_title: 'Why loading the tendon helps',
  learn_why:
    'A tendon grows stronger when it is loaded slowly and regularly. That is why you do your exercises every time they are due, for 12 weeks: that is the dose that helped people in the studies, and it takes some weeks before you feel the difference. Rest alone does not make a tendon stronger.',
  learn_pain_title: 'What pain is allowed',
  learn_pain:
    'During the exercises, rate the pain in your tendon from 0 to 10: {safe} is safe, {ok} is acceptable, {high} is too much — next time use less load or fewer reps. If pain or stiffness is worse than usual the next morning, lower the load rather than stop.',
  learn_pain_alfredson:
    'With the heel-drop exercises (Alfredson), some pain is expected: keep going unless it becomes disabling. When they stop hurting, you add load.',
  learn_red_title: 'Warning signs: stop and tell us',
  learn_red:
    'Stop the exercises and report it in the morning check-in if you feel a sudden pop or a kick in the heel, cannot rise onto your toes on the affected leg, the tendon is warm, red or swollen, you have a fever, or new pain started after an antibiotic (a quinolone such as ciprofloxacin) or steroids. The app tells you at once what to do, and your physician is told straight away.',
  learn_app_title: 'Reminders and offline',
  learn_app:
    'The app reminds you when your exercises are due: choose the times under Reminders, and turn on notifications for this phone there. You can log your sets without a connection: they are kept on the phone and sent when you are back online.',
  learn_next_title: 'If exercise is not enough',
  learn_next:
    'Most people get better with the exercises. If your tendon has not improved enough after the 12 weeks, your physio goes through your results with you and your physician may suggest a next step: an injection next to the tendon (cortisone, never into the tendon itself) or of platelets from your own blood (PRP, which studies found no better than a placebo injection for the mid-portion); then a small procedure that frees or cleans the tendon (Tenex, or tendon scraping); and, for a few, an operation to repair the tendon.',
});

addStrings('da', {
  learn_title: 'Om din sene og programmet',
  intro_title: 'Velkommen til Rehab Tracker',
  intro_step: 'Del {n} af {total}',
  intro_next: 'Næste',
  intro_back: 'Tilbage',
  intro_skip: 'Spring introduktionen over',
  intro_done: 'Start',
  intro_again: 'Vis introduktionen igen',
  learn_what_title: 'Hvad akillessenesmerter (tendinopati) er',
  learn_what:
    'Akillessenen forbinder dine lægmuskler med hælbenet. Ved tendinopati er senen øm og stiv, fordi den er blevet belastet mere, end den kunne nå at komme sig over — løbere får det ofte. Hos de fleste sidder det ømme sted midt på senen, 2–3 cm over hælen (midtportionen). Hos nogle sidder det, hvor senen hæfter på hælbenet (insertionen). Din fysioterapeut har fortalt dig, hvilken slags du har, og dine øvelser passer til den.',
  learn_why_title: 'Hvorfor det hjælper at belaste senen',
  learn_why:
    'En sene bliver stærkere, når den belastes langsomt og regelmæssigt. Derfor laver du dine øvelser, hver gang de står på programmet, i 12 uger: det er den dosis, der hjalp i undersøgelserne, og der går nogle uger, før du mærker forskellen. Hvile alene gør ikke en sene stærkere.',
  learn_pain_title: 'Hvor ondt det må gøre',
  learn_pain:
    'Giv smerten i senen under øvelserne et tal fra 0 til 10: {safe} er sikkert, {ok} er acceptabelt, {high} er for meget — brug mindre belastning eller færre gentagelser næste gang. Hvis smerte eller stivhed er værre end normalt næste morgen, så sænk belastningen i stedet for at stoppe.',
  learn_pain_alfredson:
    'Ved hælsænkningsøvelserne (Alfredson) må det gerne gøre lidt ondt: fortsæt, medmindre smerten bliver invaliderende. Når de holder op med at gøre ondt, lægger du belastning på.',
  learn_red_title: 'Advarselstegn: stop og sig det til os',
  learn_red:
    'Stop øvelserne og meld det i morgentjekket, hvis du mærker et pludseligt smæld eller et spark i hælen, ikke kan gå op på tæerne på det ramte ben, senen er varm, rød eller hævet, du har feber, eller nye smerter er begyndt efter antibiotika (en quinolon som ciprofloxacin) eller binyrebarkhormon (steroid). Appen fortæller dig straks, hvad du skal gøre, og din læge får det at vide med det samme.',
  learn_app_title: 'Påmindelser og offline',
  learn_app:
    'Appen minder dig om dine øvelser, når de skal laves: vælg tidspunkterne under Påmindelser, og slå notifikationer til for denne telefon dér. Du kan registrere dine sæt uden forbindelse: de gemmes på telefonen og sendes, når du er online igen.',
  learn_next_title: 'Hvis øvelserne ikke er nok',
  learn_next:
    'De fleste får det bedre med øvelserne. Hvis din sene ikke er blevet god nok efter de 12 uger, gennemgår din fysioterapeut resultaterne med dig, og din læge kan foreslå et næste trin: en indsprøjtning ved siden af senen (binyrebarkhormon, aldrig ind i selve senen) eller af blodplader fra dit eget blod (PRP, som undersøgelser ikke fandt bedre end en placebo-indsprøjtning ved midtportionen); derefter et lille indgreb, der frigør eller renser senen (Tenex eller senen skrabes fri); og for nogle få en operation, der reparerer senen.',
});

const PARTS = ['what', 'why', 'pain', 'red', 'app', 'next'];

/** A pain zone as the server states it (GET /api/v1/settings/), e.g. "3–5". */
function zoneText(name) {
  const zone = rules().pain_zones.find((z) => z.name === name);
  return zone ? `${zone.min}–${zone.max}` : '';
}

function Part({ name }) {
  const body = name === 'pain'
    ? html`<p>${t('learn_pain', { safe: zoneText('safe'), ok: zoneText('acceptable'), high: zoneText('too_much') })}</p>
        <p>${t('learn_pain_alfredson')}</p>`
    : html`<p>${t(`learn_${name}`)}</p>`;
  return html`<section class="learn-part" data-part=${name}><h2>${t(`learn_${name}_title`)}</h2>${body}</section>`;
}

/** The introduction, one part at a time; finishing or skipping calls ``onDone`` (stored on the account). */
export function Onboarding({ onDone }) {
  const [step, setStep] = useState(0);
  const last = step === PARTS.length - 1;
  return html`<${Screen} title=${t('intro_title')}>
    <p class="subtitle">${t('intro_step', { n: step + 1, total: PARTS.length })}</p>
    <${Part} key=${PARTS[step]} name=${PARTS[step]} />
    <div class="row">
      ${step > 0 && html`<button type="button" class="secondary" onClick=${() => setStep(step - 1)}>${t('intro_back')}</button>`}
      <button type="button" class="big" onClick=${() => (last ? onDone() : setStep(step + 1))}>${last ? t('intro_done') : t('intro_next')}</button>
    </div>
    ${!last && html`<button type="button" class="link" onClick=${onDone}>${t('intro_skip')}</button>`}
  <//>`;
}

/** Everything the introduction says, on one screen, and a way to go through it again. */
export function Learn({ onAgain }) {
  return html`<${Screen} title=${t('learn_title')}>
    ${PARTS.map((name) => html`<${Part} key=${name} name=${name} />`)}
    <button type="button" class="secondary" onClick=${onAgain}>${t('intro_again')}</button>
  <//>`;
}
