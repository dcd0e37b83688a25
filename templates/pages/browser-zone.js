// The browser's IANA time zone, under the name people know today, for the pages that offer it (landing,
// manage). Loaded before their own scripts; without Intl time zones it answers undefined.
window.browserTimeZone = () => {
  // Chromium's ICU still reports some zones by their old names.
  const RENAMED = {
    'Asia/Calcutta': 'Asia/Kolkata',
    'Asia/Katmandu': 'Asia/Kathmandu',
    'Asia/Rangoon': 'Asia/Yangon',
    'Asia/Saigon': 'Asia/Ho_Chi_Minh',
    'Europe/Kiev': 'Europe/Kyiv',
    'Atlantic/Faeroe': 'Atlantic/Faroe',
    'America/Godthab': 'America/Nuuk',
    'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
    'America/Indianapolis': 'America/Indiana/Indianapolis',
    'America/Louisville': 'America/Kentucky/Louisville',
    'Pacific/Enderbury': 'Pacific/Kanton',
  };
  try {
    const reported = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return RENAMED[reported] || reported || undefined;
  } catch {
    return undefined;
  }
};
