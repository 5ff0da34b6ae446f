// The entry form: live totals, rows added and removed, the client's requirements, the exemption
// reason only where a VAT category needs one. The page works without it (the server does all of
// this on submit); the totals it shows mirror InvoiceCalculator and the server's remain authoritative.
(() => {
  "use strict";

  // Exact decimals: an integer (BigInt) and a scale, so that 0.1 + 0.2 is 0.3 as on the server.
  function parse(text) {
    if (text == null) return null;
    const t = String(text).replace(/[\s\u00a0\u202f%€]/g, "").replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
    const negative = t.startsWith("-");
    const body = t.replace(/^[+-]/, "");
    const [i, f = ""] = body.split(".");
    const n = BigInt((i || "0") + f) * (negative ? -1n : 1n);
    return { n, s: f.length };
  }
  const pow10 = (k) => 10n ** BigInt(k);
  // Rounds a {n, s} to cents, half away from zero (NSDecimalRound .plain), as a BigInt of cents.
  function cents(d) {
    if (d.s <= 2) return d.n * pow10(2 - d.s);
    const div = pow10(d.s - 2);
    let q = d.n / div;
    const r = d.n % div;
    const absR = r < 0n ? -r : r;
    if (absR * 2n >= div) q += d.n < 0n ? -1n : 1n;
    return q;
  }
  const mul = (a, b) => ({ n: a.n * b.n, s: a.s + b.s });
  // cents × rate ÷ 100, rounded to cents.
  const percentOf = (c, rate) => cents({ n: c * rate.n, s: 2 + rate.s + 2 });

  function format(c, lang, currency) {
    const negative = c < 0n;
    const abs = negative ? -c : c;
    let int = (abs / 100n).toString();
    const frac = (abs % 100n).toString().padStart(2, "0");
    const sep = lang === "fr" ? "\u202f" : ",";
    let grouped = "";
    while (int.length > 3) { grouped = sep + int.slice(-3) + grouped; int = int.slice(0, -3); }
    grouped = int + grouped;
    const number = (negative ? "−" : "") + grouped + (lang === "fr" ? "," : ".") + frac;
    const symbol = currency === "EUR" ? "€" : currency;
    return lang === "fr" ? number + "\u00a0" + symbol : (currency === "EUR" ? "€" + number : number + " " + symbol);
  }
  function formatRate(r, lang) {
    let s = r.s > 0 ? (r.n < 0n ? "-" : "") + (r.n < 0n ? -r.n : r.n).toString().padStart(r.s + 1, "0") : r.n.toString();
    if (r.s > 0) s = s.slice(0, -r.s) + "." + s.slice(-r.s);
    s = s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
    return lang === "fr" ? s.replace(".", ",") : s;
  }

  const needsReason = new Set(["E", "AE", "K", "G", "O"]);
  const zeroRated = new Set(["Z", "E", "AE", "K", "G"]);

  // The group a line or allowance belongs to: its category and, for taxed ones, its rate.
  function vatKey(category, rateText) {
    const cat = (category || "S").toUpperCase();
    if (cat === "O") return { key: "O", cat, rate: null };
    if (zeroRated.has(cat)) return { key: cat + "|0", cat, rate: { n: 0n, s: 0 } };
    const rate = parse(rateText);
    if (!rate) return null;
    const normalized = cents({ n: rate.n, s: rate.s }); // rate in hundredths, to group 5.5 and 5,50 together
    return { key: cat + "|" + normalized, cat, rate };
  }

  function compute(form) {
    const lang = form.dataset.lang || "fr";
    const currencyInput = form.querySelector("[data-currency]");
    const currency = ((currencyInput && currencyInput.value) || "EUR").trim().toUpperCase() || "EUR";
    const groups = new Map();
    let lineSum = 0n, allowances = 0n, charges = 0n, complete = true;
    const add = (k, amount) => {
      if (!k) { complete = false; return; }
      const g = groups.get(k.key) || { cat: k.cat, rate: k.rate, taxable: 0n };
      g.taxable += amount;
      groups.set(k.key, g);
    };
    form.querySelectorAll("tr[data-line]").forEach((row) => {
      const get = (f) => { const el = row.querySelector(`[data-field="${f}"]`); return el ? el.value : ""; };
      const out = row.querySelector("[data-line-total]");
      const qty = parse(get("quantity")), price = parse(get("unitPrice"));
      const discountText = get("discountPercent").trim();
      const discount = discountText === "" ? { n: 0n, s: 0 } : parse(discountText);
      if (!qty || !price || !discount) {
        if (out) out.textContent = "—";
        if (get("description").trim() !== "" || get("unitPrice").trim() !== "") complete = false;
        return;
      }
      const base = cents(mul(qty, price));
      const net = base - percentOf(base, discount);
      if (out) out.textContent = format(net, lang, currency);
      lineSum += net;
      add(vatKey(get("vatCategory"), get("vatRate")), net);
    });
    form.querySelectorAll("tr[data-charge]").forEach((row) => {
      const get = (f) => { const el = row.querySelector(`[data-field="${f}"]`); return el ? el.value : ""; };
      const amount = parse(get("amount"));
      if (!amount) { if (get("amount").trim() !== "") complete = false; return; }
      const c = cents(amount);
      const isCharge = get("kind") === "charge";
      if (isCharge) charges += c; else allowances += c;
      add(vatKey(get("vatCategory"), get("vatRate")), isCharge ? c : -c);
    });
    let vat = 0n;
    const rows = [];
    [...groups.values()].sort((a, b) => (b.rate ? Number(cents(b.rate)) : -1) - (a.rate ? Number(cents(a.rate)) : -1)).forEach((g) => {
      const tax = g.rate ? percentOf(g.taxable, g.rate) : 0n;
      vat += tax;
      const label = g.cat === "S" ? `${lang === "fr" ? "TVA à" : "VAT at"} ${formatRate(g.rate, lang)} %` : `${lang === "fr" ? "TVA" : "VAT"} ${g.cat}`;
      rows.push([label + ` (${lang === "fr" ? "base" : "base"} ${format(g.taxable, lang, currency)})`, format(tax, lang, currency)]);
    });
    const ht = lineSum - allowances + charges;
    const set = (k, v) => { const el = form.querySelector(`[data-total="${k}"]`); if (el) el.textContent = v; };
    set("ht", format(ht, lang, currency));
    set("vat", format(vat, lang, currency));
    set("ttc", format(ht + vat, lang, currency));
    const body = form.querySelector("[data-vat-groups]");
    if (body) {
      body.replaceChildren(...rows.map(([label, amount]) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th"); th.scope = "row"; th.textContent = label;
        const td = document.createElement("td"); td.textContent = amount;
        tr.append(th, td);
        return tr;
      }));
    }
    const note = form.querySelector("[data-live-note]");
    if (note) note.textContent = note.dataset.liveText + (complete ? "" : (lang === "fr" ? " — lignes incomplètes ignorées" : " — incomplete lines left out"));
  }

  function nextIndex(form, selector, attr) {
    let max = -1;
    form.querySelectorAll(selector).forEach((r) => { const i = parseInt(r.getAttribute(attr), 10); if (!isNaN(i) && i > max) max = i; });
    return max + 1;
  }

  function syncExemption(form, row) {
    const index = row.getAttribute("data-line");
    const cat = row.querySelector('[data-field="vatCategory"]');
    const rate = row.querySelector('[data-field="vatRate"]');
    const extra = form.querySelector(`tr[data-exemption-for="${index}"]`);
    if (!cat) return;
    if (extra) extra.hidden = !needsReason.has(cat.value);
    if (rate) {
      if (zeroRated.has(cat.value)) { rate.value = "0"; rate.readOnly = true; }
      else if (cat.value === "O") { rate.value = ""; rate.readOnly = true; }
      else { rate.readOnly = false; if (rate.value === "0" || rate.value === "") rate.value = "20"; }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("invoice-entry");
    if (!form) return;
    const linesBody = form.querySelector("[data-lines]");
    const chargesBody = form.querySelector("[data-charges]");

    form.addEventListener("input", () => compute(form));
    form.addEventListener("change", (e) => {
      const row = e.target.closest("tr[data-line]");
      if (row && e.target.matches('[data-field="vatCategory"]')) syncExemption(form, row);
      compute(form);
    });

    const select = form.querySelector("[data-client-select]");
    const requirement = form.querySelector("[data-client-requirement]");
    if (select && requirement) {
      select.addEventListener("change", () => {
        const opt = select.selectedOptions[0];
        requirement.textContent = opt ? (opt.dataset.requirement || "") : "";
        const code = opt && opt.dataset.serviceCode;
        const ref = form.querySelector("#buyerReference");
        if (code && ref && !ref.value) ref.value = code;
      });
    }

    form.addEventListener("click", (e) => {
      const button = e.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-add-line")) {
        e.preventDefault();
        const i = nextIndex(form, "tr[data-line]", "data-line");
        const html = document.getElementById("line-template").innerHTML.replaceAll("__i__", String(i)).replaceAll('aria-label="' , 'aria-label="');
        const holder = document.createElement("tbody");
        holder.innerHTML = html;
        const rows = [...holder.children];
        // A new line takes the previous line's VAT rate: most invoices have one rate.
        const last = [...form.querySelectorAll('tr[data-line] [data-field="vatRate"]')].pop();
        linesBody.append(...rows);
        const rate = rows[0].querySelector('[data-field="vatRate"]');
        if (rate && last) rate.value = last.value;
        const qty = rows[0].querySelector('[data-field="quantity"]');
        if (qty) qty.value = "1";
        rows[0].querySelector('[data-field="description"]').focus();
        compute(form);
      } else if (button.hasAttribute("data-remove-line")) {
        e.preventDefault();
        if (form.querySelectorAll("tr[data-line]").length <= 1) return;
        const row = button.closest("tr[data-line]");
        const extra = form.querySelector(`tr[data-exemption-for="${row.getAttribute("data-line")}"]`);
        row.remove();
        if (extra) extra.remove();
        compute(form);
      } else if (button.hasAttribute("data-add-charge")) {
        e.preventDefault();
        const i = nextIndex(form, "tr[data-charge]", "data-charge");
        const holder = document.createElement("tbody");
        holder.innerHTML = document.getElementById("charge-template").innerHTML.replaceAll("__c__", String(i));
        chargesBody.append(...holder.children);
        compute(form);
      } else if (button.hasAttribute("data-remove-charge")) {
        e.preventDefault();
        button.closest("tr[data-charge]").remove();
        compute(form);
      }
    });

    form.querySelectorAll("tr[data-line]").forEach((row) => {
      const cat = row.querySelector('[data-field="vatCategory"]');
      const rate = row.querySelector('[data-field="vatRate"]');
      if (cat && rate && cat.value !== "S") rate.readOnly = true;
    });
    compute(form);
  });
})();
