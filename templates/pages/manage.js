// Progressive enhancement for the manage page, which works without this script: when the browser's time
// zone differs from the one saved, offer it with one button that fills the field (the person still saves).
(() => {
  const zone = document.getElementById('timeZone');
  const offer = document.querySelector('.zone-suggestion');
  const button = document.getElementById('use-browser-zone');
  if (!zone || !offer || !button) return;
  const detected = window.browserTimeZone();
  if (!detected || detected === zone.value) return;
  button.textContent = `Use this device’s time zone: ${detected}`;
  offer.hidden = false;
  button.addEventListener('click', () => {
    zone.value = detected;
    offer.hidden = true;
    zone.focus();
  });
})();
