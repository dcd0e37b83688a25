// Progressive enhancement: fill the browser's time zone; the form works without this script.
(() => {
  const zone = document.getElementById('timeZone');
  try {
    const detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && detected && zone.value === 'UTC') zone.value = detected;
  } catch {
    // Older browsers without Intl time zones keep the default.
  }
})();
