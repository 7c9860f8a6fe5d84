// Every API path the screens call, in one place: a renamed route changes here only.
const V1 = '/api/v1';
const query = (params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = q.toString();
  return text ? `?${text}` : '';
};

// The service worker's cache of the clinic's demonstration files (/media/…), which the page prunes.
export const MEDIA_CACHE = 'demonstrations';

export const paths = {
  me: () => `${V1}/me/`,
  onboarding: () => `${V1}/me/onboarding/`,
  today: () => `${V1}/today/`,
  notifications: () => `${V1}/notifications/`,
  invitations: () => `${V1}/invitations/`,
  invitationAccept: (token) => `${V1}/invitations/${encodeURIComponent(token)}/accept/`,
  passwordReset: () => `${V1}/auth/password-reset/`,
  passwordResetConfirm: () => `${V1}/auth/password-reset/confirm/`,
  mfa: () => `${V1}/auth/mfa/`,
  mfaTotp: () => `${V1}/auth/mfa/totp/`,
  mfaTotpConfirm: () => `${V1}/auth/mfa/totp/confirm/`,
  rules: () => `${V1}/settings/`,
  demonstrations: () => `${V1}/demonstrations/`,
  clinics: () => `${V1}/clinics/`,
  clinic: (id) => `${V1}/clinics/${id}/`,
  clinicStaff: (id) => `${V1}/clinics/${id}/clinicians/`,
  clinicStaffMember: (id, user) => `${V1}/clinics/${id}/clinicians/${user}/`,
  clinicians: (role) => `${V1}/clinicians/${query({ role })}`,
  patients: (params = {}) => `${V1}/patients/${query(params)}`,
  patient: (id) => `${V1}/patients/${id}/`,
  patientSide: (id) => `${V1}/patients/${id}/side/`,
  patientNotes: (id) => `${V1}/patients/${id}/notes/`,
  patientExport: (id, format) => `${V1}/patients/${id}/export/${query({ format })}`,
  patientTimeline: (id, params = {}) => `${V1}/patients/${id}/timeline/${query(params)}`,
  patientAdherence: (id) => `${V1}/patients/${id}/adherence/`,
  programs: () => `${V1}/programs/`,
  program: (id) => `${V1}/programs/${id}/`,
  prescription: (id, date) => `${V1}/programs/${id}/prescription/${query({ date })}`,
  flags: (params = {}) => `${V1}/flags/${query(params)}`,
  flagAction: (id, action) => `${V1}/flags/${id}/${action}/`,
  visaA: (params = {}) => `${V1}/visa-a/${query(params)}`,
  messages: (params = {}) => `${V1}/messages/${query(params)}`,
  messageRead: (id) => `${V1}/messages/${id}/read/`,
  messagesInbox: (params = {}) => `${V1}/messages/inbox/${query(params)}`,
  messagingClinic: () => `${V1}/messages/clinic/`,
  timeEntries: () => `${V1}/time-entries/`,
  rtm: (params = {}) => `${V1}/rtm/${query(params)}`,
  patientRtm: (id, params = {}) => `${V1}/patients/${id}/rtm/${query(params)}`,
  patientSummary: (id) => `${V1}/patients/${id}/summary/`,
  programReview: (id) => `${V1}/programs/${id}/review/`,
  runningGate: (id) => `${V1}/programs/${id}/running-gate/`,
  runningLogs: (params = {}) => `${V1}/running-logs/${query(params)}`,
  runningLog: (id) => `${V1}/running-logs/${id}/`,
};
