// Every API path the screens call, in one place: a renamed route changes here only.
const V1 = '/api/v1';
const query = (params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = q.toString();
  return text ? `?${text}` : '';
};

export const paths = {
  me: () => `${V1}/me/`,
  rules: () => `${V1}/settings/`,
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
};
