// The clinician's screens (a chunk of their own, loaded only for clinicians). Scope is the API's: a clinician
// sees only what the API answers them.
export { Caseload } from './clinician/caseload.js';
export { Clinic } from './clinician/clinic.js';
export { Enrol } from './clinician/enrol.js';
export { FlagActions, FlagsInbox, RedFlagWatch } from './clinician/flags.js';
export { MessagesInbox } from './clinician/messages.js';
export { PatientPage } from './clinician/patient.js';
export { RtmReport } from './clinician/rtm.js';
export { Security } from './clinician/security.js';
