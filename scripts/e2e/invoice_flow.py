#!/usr/bin/env python3
"""End-to-end invoice flow in a real browser (headless Chromium through Selenium).

Two companies on the same Facteur, each the other's client (the demo data of `facteur serve --demo`):
A signs in, types an invoice to B with 3 lines at 2 VAT rates (rows added with the button, totals
checked live before saving, then against the server's), issues it; B signs in, finds it in Reçues,
approves it and marks the payment transmitted; A records the payment and the invoice is Encaissée;
both dashboards show the right counts. Screenshots of the entry page, the invoice page with its
timeline, and the dashboard.

    python3 scripts/e2e/invoice_flow.py --base http://127.0.0.1:8080 --shots docs/screenshots \
        --seller alice@atelier-dupont.example --buyer bruno@boulangerie-martin.example \
        --password facteur-demo-2026 --seller-token TOKEN

Exit code 0 and a last line "PASS n steps" when everything held; 1 and "FAIL …" naming the step otherwise.
"""
import argparse
import json
import os
import re
import sys
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

NNBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"   # before the euro sign


def euros(text):
    """'2 607,92 €' → '2607.92' (the page's French formatting, read back exactly)."""
    return text.replace(NNBSP, "").replace(NBSP, "").replace("€", "").replace(" ", "").replace(",", ".").replace("−", "-").strip()


class Run:
    def __init__(self, args):
        self.args = args
        self.base = args.base.rstrip("/")
        self.shots = args.shots
        self.steps = []
        os.makedirs(self.shots, exist_ok=True)
        options = webdriver.ChromeOptions()
        for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
            if os.path.exists(binary):
                options.binary_location = binary
                break
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=fr-FR",
                    "--force-device-scale-factor=1", "--hide-scrollbars"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
        driver_path = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
        self.driver = webdriver.Chrome(service=Service(driver_path) if driver_path else Service(), options=options)
        self.driver.set_page_load_timeout(30)
        self.wait = WebDriverWait(self.driver, 10)

    # Helpers

    def go(self, path):
        self.driver.get(self.base + path)

    def step(self, text):
        self.steps.append(text)
        print("OK   " + text, flush=True)

    def shot(self, name):
        d = self.driver
        d.execute_script("if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);")
        height = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        d.set_window_size(1280, min(max(height + 20, 700), 4000))
        time.sleep(0.2)
        d.save_screenshot(os.path.join(self.shots, name + ".png"))
        d.set_window_size(1280, 900)

    def by_id(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def type_into(self, element_id, value):
        el = self.by_id(element_id)
        el.clear()
        el.send_keys(value)

    def flash(self):
        # Polled while the next page loads: an element of the old page may vanish between find and read.
        try:
            return " ".join(f.text for f in self.driver.find_elements(By.CSS_SELECTOR, ".flash"))
        except StaleElementReferenceException:
            return ""

    def api(self, method, path, token, body):
        req = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            return r.status

    def login(self, email):
        d = self.driver
        self.go("/connexion")
        self.type_into("email", email)
        self.type_into("password", self.args.password)
        d.find_element(By.CSS_SELECTOR, "main form[method=post] button[type=submit]").click()
        self.wait.until(EC.url_contains("/tableau-de-bord"))

    def logout(self):
        self.driver.find_element(By.CSS_SELECTOR, ".logout-form button").click()
        self.wait.until(EC.url_contains("/connexion"))

    def counts(self):
        values = {}
        for el in self.driver.find_elements(By.CSS_SELECTOR, "[data-count]"):
            values[el.get_attribute("data-count")] = int(el.find_element(By.CSS_SELECTOR, ".stat-value").text)
        return values

    def click_action(self, label):
        d = self.driver
        for b in d.find_elements(By.CSS_SELECTOR, ".action-form button[type=submit]"):
            if b.text.strip() == label:
                b.click()
                return
        raise AssertionError(f"no « {label} » button; buttons: {[b.text for b in d.find_elements(By.CSS_SELECTOR, '.action-form button')]}")

    def status_code(self):
        return int(self.driver.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status"))

    # The flow

    def run(self):
        d = self.driver
        a = self.args
        # A's postal address is mandatory on an invoice (BT-35..): set once through the API, as billing software would.
        status = self.api("PUT", "/api/v1/company", a.seller_token, {
            "name": "Atelier Dupont SARL", "legalForm": "SARL", "shareCapital": "20000", "rcs": "Lyon B 842 157 307",
            "addressLine1": "12 rue des Artisans", "postCode": "69003", "city": "Lyon", "countryCode": "FR", "invoicePrefix": "AD",
            "paymentTermsDays": 30, "recoveryIndemnityText": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
            "earlyPaymentDiscount": "Pas d'escompte pour paiement anticipé.", "timeZone": "Europe/Paris"})
        assert status == 200, f"company settings: HTTP {status}"
        self.api("POST", "/api/v1/company/bank-accounts", a.seller_token,
                 {"label": "Compte courant", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP", "isDefault": True})
        self.step("A's company details are set (address, IBAN)")

        # A types the invoice.
        self.login(a.seller)
        before_a = self.counts()
        self.step(f"A signed in; dashboard counts {before_a}")
        self.go("/factures/nouvelle")
        self.wait.until(EC.presence_of_element_located((By.ID, "clientId")))
        client = Select(self.by_id("clientId"))
        client.select_by_visible_text(next(o.text for o in client.options if o.text.startswith(a.buyer_name)))
        self.type_into("issueDate", "")
        d.execute_script("document.getElementById('issueDate').value = arguments[0]", time.strftime("%Y-%m-%d"))
        Select(self.by_id("operationCategory")).select_by_value("mixed")
        lines = [("Conseil en organisation (jours)", "3", "DAY", "650,00", "", "20"),
                 ("Livres techniques", "4", "C62", "32,50", "10", "5,5"),
                 ("Frais de déplacement", "1", "LS", "120,40", "", "20")]
        for i, (desc, qty, unit, price, disc, rate) in enumerate(lines):
            if i > 0:
                d.find_element(By.CSS_SELECTOR, "[data-add-line]").click()
                self.wait.until(EC.presence_of_element_located((By.ID, f"lines[{i}].description")))
            self.type_into(f"lines[{i}].description", desc)
            self.type_into(f"lines[{i}].quantity", qty)
            Select(self.by_id(f"lines[{i}].unit")).select_by_value(unit)
            self.type_into(f"lines[{i}].unitPrice", price)
            self.type_into(f"lines[{i}].discountPercent", disc)
            self.type_into(f"lines[{i}].vatRate", rate)
        assert len(d.find_elements(By.CSS_SELECTOR, "tr[data-line]")) == 3, "three line rows after two clicks on « Ajouter une ligne »"
        # Expected by hand: 3 × 650 = 1950; 4 × 32.50 = 130 − 10 % = 117; 120.40. HT 2187.40;
        # VAT 20 % on 2070.40 = 414.08, 5.5 % on 117 = 6.435 → 6.44; TTC 2607.92.
        live = {k: euros(d.find_element(By.CSS_SELECTOR, f"[data-total='{k}']").text) for k in ("ht", "vat", "ttc")}
        assert live == {"ht": "2187.40", "vat": "420.52", "ttc": "2607.92"}, f"live totals {live}"
        groups = [r.text for r in d.find_elements(By.CSS_SELECTOR, "[data-vat-groups] tr")]
        assert len(groups) == 2 and "414,08" in groups[0] and "6,44" in groups[1], f"VAT groups {groups}"
        line2 = euros(d.find_elements(By.CSS_SELECTOR, "[data-line-total]")[1].text)
        assert line2 == "117.00", f"line 2 total {line2}"
        self.step("3 lines at 2 rates typed; live totals 2187.40 + 420.52 = 2607.92 before saving")
        self.shot("invoice-entry")

        d.find_element(By.CSS_SELECTOR, "[data-save]").click()
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-action=issue]")))
        assert "Brouillon enregistré" in self.flash(), self.flash()
        server = {k: euros(d.find_element(By.CSS_SELECTOR, f"[data-total='{k}']").text) for k in ("ht", "vat", "ttc")}
        assert server == live, f"the server's totals {server} differ from the live ones {live}"
        invoice_url = d.current_url
        self.step("draft saved; the server's totals equal the live ones")

        d.find_element(By.CSS_SELECTOR, "[data-action=issue]").click()
        self.wait.until(lambda drv: "émise" in self.flash() or drv.find_elements(By.CSS_SELECTOR, ".problems"))
        problems = d.find_elements(By.CSS_SELECTOR, ".problems")
        assert not problems, "issue refused: " + (problems[0].text if problems else "")
        number = d.find_element(By.CSS_SELECTOR, "[data-invoice-number]").text.split()[-1]
        assert re.match(r"AD\d{4}-\d+$", number), f"invoice number {number!r}"
        assert self.status_code() == 203, f"status after issue {self.status_code()}"
        self.step(f"invoice {number} issued and made available to B (203)")
        self.logout()

        # B decides.
        self.login(a.buyer)
        # The demo data may already hold invoices: counts are checked as changes.
        before_b = self.counts()
        assert before_b.get("received", 0) >= 1 and before_b.get("awaiting", 0) >= 1, f"B's dashboard before deciding {before_b}"
        self.go("/factures?onglet=recues")
        d.find_element(By.LINK_TEXT, number)
        self.step(f"B sees it in Reçues; dashboard {before_b}")
        self.shot("invoice-list-received")
        d.find_element(By.LINK_TEXT, number).click()
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-status]")))
        self.shot("invoice-received-actions")
        self.click_action("Approuver")
        self.wait.until(lambda drv: "approuvée" in self.flash())
        assert self.status_code() == 205
        self.click_action("Paiement transmis")
        self.wait.until(lambda drv: "Paiement transmis" in self.flash())
        assert self.status_code() == 211
        self.step("B approved it (205) and marked the payment transmitted (211)")
        self.go("/tableau-de-bord")
        counts_b = self.counts()
        assert counts_b.get("received") == before_b["received"] and counts_b.get("awaiting") == before_b["awaiting"] - 1, \
            f"B's dashboard after deciding {counts_b} (before {before_b})"
        self.logout()

        # A records the payment.
        self.login(a.seller)
        d.get(invoice_url)
        amount = self.by_id("amount").get_attribute("value")
        assert euros(amount) == "2607.92", f"the payment form proposes {amount}"
        d.find_element(By.CSS_SELECTOR, "[data-action=payment]").click()
        self.wait.until(lambda drv: "soldée" in self.flash())
        assert self.status_code() == 212, f"status after payment {self.status_code()}"
        timeline = [int(li.get_attribute("data-code")) for li in d.find_elements(By.CSS_SELECTOR, "[data-timeline] li")]
        assert timeline == [212, 211, 205, 203, 202, 201, 200], f"timeline {timeline}"
        self.step("A recorded the payment: Encaissée (212); timeline 200 → 212")
        d.execute_script("document.querySelectorAll('.flash').forEach(f => f.remove())")
        self.shot("invoice-page")

        self.go("/tableau-de-bord")
        counts_a = self.counts()
        expected = {"drafts": before_a.get("drafts", 0), "issued": before_a.get("issued", 0) + 1,
                    "collected": before_a.get("collected", 0) + 1, "awaiting": before_a.get("awaiting", 0)}
        for k, v in expected.items():
            assert counts_a.get(k) == v, f"A's dashboard {k} = {counts_a.get(k)}, expected {v} ({counts_a})"
        self.step(f"A's dashboard: {counts_a}")
        self.shot("dashboard-invoices")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--seller", required=True, help="A's sign-in email")
    parser.add_argument("--buyer", required=True, help="B's sign-in email")
    parser.add_argument("--buyer-name", default="Boulangerie Martin", help="B as A's client list shows it (prefix)")
    parser.add_argument("--password", required=True)
    parser.add_argument("--seller-token", required=True, help="an API token of A (to fill in its company details)")
    args = parser.parse_args()
    run = Run(args)
    try:
        run.run()
    except (AssertionError, NoSuchElementException, TimeoutException) as e:
        print(f"FAIL after {len(run.steps)} steps: {type(e).__name__}: {e}", flush=True)
        print(f"     at {run.driver.current_url} — {run.driver.title}", flush=True)
        traceback.print_exc()
        try:
            run.driver.save_screenshot(os.path.join(args.shots, "invoice-failure.png"))
        except Exception:
            pass
        run.driver.quit()
        return 1
    run.driver.quit()
    print(f"PASS {len(run.steps)} steps", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
