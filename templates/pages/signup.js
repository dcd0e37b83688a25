// Progressive enhancement for the signup form, which posts and works without this script. With it, the
// browser's time zone is filled in, and the form submits in place with errors shown beside their fields.
(() => {
  const form = document.querySelector('form.signup');
  const done = document.getElementById('signup-done');
  const intro = document.querySelector('.card-intro');
  if (!form || !done || !intro) return;
  const FIELDS = ['firstName', 'email', 'timeZone', 'sendHour'];
  const status = document.getElementById('signup-status');
  const button = form.querySelector('button[type="submit"]');
  const zone = form.elements.namedItem('timeZone');
  // Without Intl time zones the server default stays, and the person can still type theirs.
  const detected = window.browserTimeZone();
  if (detected && zone.value === 'UTC') {
    zone.value = detected;
    document.getElementById('timeZone-hint').textContent = 'Detected from your browser. Change it if it’s not right.';
  }

  // The check-in times depend on the hour chosen; each option carries its own sentence, built with the page.
  const hour = form.elements.namedItem('sendHour');
  const checkins = document.getElementById('checkins-hint');
  if (hour && checkins) {
    hour.addEventListener('change', () => {
      const chosen = hour.options[hour.selectedIndex];
      if (chosen?.dataset.checkins) checkins.textContent = chosen.dataset.checkins;
    });
  }

  if (!window.fetch) return;

  let sending = false;

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle('is-error', Boolean(isError));
  }

  function showFieldError(name, message) {
    const input = form.elements.namedItem(name);
    const error = document.getElementById(`${name}-error`);
    input.setAttribute('aria-invalid', 'true');
    error.textContent = message;
    error.hidden = false;
  }

  function clearErrors() {
    for (const name of FIELDS) {
      form.elements.namedItem(name).removeAttribute('aria-invalid');
      const error = document.getElementById(`${name}-error`);
      error.textContent = '';
      error.hidden = true;
    }
    setStatus('', false);
  }

  function succeed(firstName, message) {
    done.querySelector('.done-name').textContent = firstName ? `, ${firstName}` : '';
    if (typeof message === 'string' && message) done.querySelector('.done-message').textContent = message;
    form.hidden = true;
    intro.hidden = true;
    done.hidden = false;
    document.getElementById('signup-done-heading').focus();
  }

  function fail(result) {
    const fields = result.fields && typeof result.fields === 'object' ? result.fields : {};
    const named = FIELDS.filter((name) => typeof fields[name] === 'string');
    for (const name of named) showFieldError(name, fields[name]);
    const other = Object.keys(fields).find((name) => !FIELDS.includes(name));
    if (named.length > 0 && !other) {
      setStatus('Please check the details marked above.', true);
      form.elements.namedItem(named[0]).focus();
      return;
    }
    const message = (other && fields[other]) || result.message;
    setStatus(typeof message === 'string' && message ? message : 'Something went wrong on our side. Please try again in a minute.', true);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // One request per signup, however often the button is pressed while it is on its way.
    if (sending) return;
    sending = true;
    const label = button.textContent;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Sending…';
    clearErrors();
    const data = new FormData(form);
    const body = {
      firstName: String(data.get('firstName') ?? ''),
      email: String(data.get('email') ?? ''),
      timeZone: String(data.get('timeZone') ?? '').trim(),
      sendHour: Number(data.get('sendHour')),
      website: String(data.get('website') ?? ''),
    };
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = await response.json().catch(() => ({}));
      if (response.ok) succeed(body.firstName.trim(), result.message);
      else fail(result);
    } catch {
      setStatus('We could not reach the server. Check your connection and try again.', true);
    } finally {
      sending = false;
      button.removeAttribute('aria-disabled');
      button.textContent = label;
    }
  });

  document.getElementById('signup-again').addEventListener('click', () => {
    done.hidden = true;
    intro.hidden = false;
    form.hidden = false;
    form.elements.namedItem('email').focus();
  });
})();
