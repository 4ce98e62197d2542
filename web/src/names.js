// People read names, not codes: who acted is shown by the name of their org (修齐镇), never by its 12-digit code or the
// token's subject (an opaque id), which stays available as a tooltip for support.
export const byWhom = (orgName, orgCode, subject) => orgName || orgCode || subject || '';
export const byWhomTitle = (orgCode, subject) => [orgCode, subject].filter(Boolean).join(' · ');
