"""The public booking page: one small self-contained HTML document, no external requests."""

from __future__ import annotations

from html import escape

from runbook.service.domain import SERVICES, STAFF

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
select,input,button{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{margin-top:1rem;background:#7a2250;color:#fff;border:0;border-radius:4px;cursor:pointer}
#result{margin-top:1rem;padding:.75rem;border-radius:4px}
.ok{background:#e6f4ea}.bad{background:#fce8e6}small{color:#555}
"""

_SCRIPT = """
const form = document.getElementById('booking');
const out = document.getElementById('result');
const slot = document.getElementById('slot');
function show(text, ok) { out.textContent = text; out.className = ok ? 'ok' : 'bad'; }
async function findTimes() {
  const q = new URLSearchParams({staff_id: form.staff_id.value,
    service_id: form.service_id.value, date: form.date.value});
  const r = await fetch('/api/availability?' + q);
  const body = await r.json();
  slot.innerHTML = '';
  if (!r.ok) { show(body.error.message, false); return; }
  for (const s of body.slots) {
    const o = document.createElement('option');
    o.value = s.start; o.textContent = s.start.slice(11, 16) + ' - ' + s.end.slice(11, 16);
    slot.append(o);
  }
  show(body.slots.length ? body.slots.length + ' times free' : 'No free times that day', true);
}
document.getElementById('find').addEventListener('click', findTimes);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const customer = {name: form.name.value, email: form.email.value};
  if (form.phone.value) customer.phone = form.phone.value;
  const r = await fetch('/api/bookings', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({service_id: form.service_id.value, staff_id: form.staff_id.value,
      start: slot.value, customer})});
  const body = await r.json();
  if (r.ok) show('Booked: ' + body.id + ' at ' + body.start + ' (' + body.status + ')', true);
  else show(body.error.message, false);
});
"""


def booking_page() -> str:
    services = "".join(
        f'<option value="{escape(s.id)}">{escape(s.name)} '
        f"({s.duration_minutes} min, R{s.price_zar})</option>"
        for s in SERVICES
    )
    staff = "".join(
        f'<option value="{escape(m.id)}">{escape(m.name)}, {escape(m.role)}</option>' for m in STAFF
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<title>Book an appointment - InStyle Hair Boutique</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Book an appointment</h1>"
        "<p><small>Open Tuesday to Saturday, 08:00-18:00 (SAST).</small></p>"
        "<form id='booking'>"
        f"<label for='service_id'>Service</label><select id='service_id' name='service_id'>"
        f"{services}</select>"
        f"<label for='staff_id'>Stylist</label><select id='staff_id' name='staff_id'>"
        f"{staff}</select>"
        "<label for='date'>Date</label><input id='date' name='date' type='date' required>"
        "<button type='button' id='find'>Find free times</button>"
        "<label for='slot'>Time</label><select id='slot' name='start' required></select>"
        "<label for='name'>Your name</label>"
        "<input id='name' name='name' required maxlength='100' autocomplete='name'>"
        "<label for='email'>Email</label>"
        "<input id='email' name='email' type='email' required autocomplete='email'>"
        "<label for='phone'>Phone (optional)</label>"
        "<input id='phone' name='phone' type='tel' autocomplete='tel'>"
        "<button type='submit'>Book and pay deposit</button>"
        "</form><div id='result' role='status'></div>"
        f"<script>{_SCRIPT}</script></body></html>"
    )
