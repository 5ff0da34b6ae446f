#!/usr/bin/env python3
"""End-to-end test in a real browser (headless Chromium through Selenium).

Drives a running Facteur through: login page → sign-up with a wrong then a right SIRET → the
activation link from the local mailbox (/dev/mail) → personal and company details → dashboard →
Ma société → a new client (Mes clients) → an invitation (Mes utilisateurs) → logout → login
again → English. Checks a few accessibility basics on each page (lang attribute, every visible field
labelled, the skip link first in the tab order, focus visible) and keeps screenshots.

A page that does not exist yet (404) is reported as MISSING and does not fail the run; anything
else that goes wrong fails it (exit code 1), naming the step.

    python3 scripts/e2e/signup_flow.py --base http://127.0.0.1:8080 --shots docs/screenshots
"""
import argparse
import os
import random
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "une phrase de passe assez longue"


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def complete_luhn(prefix):
    for last in range(10):
        if luhn_ok(prefix + str(last)):
            return prefix + str(last)
    raise AssertionError("no Luhn digit")


def random_siret():
    """A SIRET with valid keys (SIREN and SIRET), not La Poste's, not a real company's on purpose."""
    siren = complete_luhn("9" + "".join(random.choice("0123456789") for _ in range(7)))
    for _ in range(1000):
        nic = "".join(random.choice("0123456789") for _ in range(4))
        siret = complete_luhn(siren + nic)
        if luhn_ok(siret):
            return siret
    raise AssertionError("no SIRET")


class Run:
    def __init__(self, base, shots):
        self.base = base.rstrip("/")
        self.shots = shots
        self.missing = []
        self.steps = []
        os.makedirs(shots, exist_ok=True)
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

    def shot(self, name, full=True):
        path = os.path.join(self.shots, name + ".png")
        if full:
            height = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
            width = self.driver.get_window_size()["width"]
            self.driver.set_window_size(width, min(max(height + 140, 700), 4000))
            time.sleep(0.2)
        self.driver.save_screenshot(path)
        if full:
            self.driver.set_window_size(1280, 900)

    def step(self, text):
        self.steps.append(text)
        print("OK   " + text, flush=True)

    def is_missing(self, label, path):
        """True (and recorded) when the page answers 404: a page another engineer has not built yet."""
        title = self.driver.title
        if "introuvable" in title.lower() or "not found" in title.lower() or "404" in self.driver.page_source[:300]:
            self.missing.append(f"{label} ({path})")
            print(f"MISSING {label}: {path} does not exist yet", flush=True)
            return True
        return False

    def field(self, field_id):
        return self.driver.find_element(By.ID, field_id)

    def fill(self, field_id, value):
        el = self.field(field_id)
        el.clear()
        el.send_keys(value)

    def submit(self, form_css="main form[method=post]"):
        form = self.driver.find_element(By.CSS_SELECTOR, form_css)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def check_accessibility(self, page):
        d = self.driver
        lang = d.find_element(By.TAG_NAME, "html").get_attribute("lang")
        assert lang in ("fr", "en"), f"{page}: <html lang> is {lang!r}"
        unlabelled = d.execute_script("""
            const bad = [];
            for (const el of document.querySelectorAll('input, select, textarea')) {
              if (el.type === 'hidden' || el.offsetParent === null) continue;
              const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
              if (!byFor && !el.closest('label') && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) bad.push(el.name || el.id || el.outerHTML.slice(0, 60));
            }
            return bad;""")
        assert not unlabelled, f"{page}: fields without a label: {unlabelled}"
        # Keyboard: the first Tab lands on the skip link, which is then visible and outlined.
        # (A focus point is put before everything, as when the page has just loaded.)
        d.execute_script("""const s = document.createElement('span'); s.tabIndex = -1; s.id = 'e2e-start';
                            document.body.prepend(s); s.focus();""")
        ActionChains(d).send_keys(Keys.TAB).perform()
        focused = d.switch_to.active_element
        cls = focused.get_attribute("class") or ""
        assert "skip-link" in cls, f"{page}: first Tab goes to {focused.tag_name}.{cls}, not the skip link"
        outline = d.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), f"{page}: the focused element has no visible outline"
        d.execute_script("document.getElementById('e2e-start').remove(); document.activeElement.blur(); window.scrollTo(0, 0);")

    # The flow

    def run(self):
        d = self.driver
        email = f"e2e-{int(time.time())}-{random.randint(1000, 9999)}@exemple.fr"
        siret = random_siret()

        self.go("/tableau-de-bord")
        assert "/connexion" in d.current_url, f"a visitor is not sent to the login page: {d.current_url}"
        self.step("a visitor asking for the dashboard lands on the login page")
        self.check_accessibility("login")
        self.shot("login")

        d.find_element(By.LINK_TEXT, "Inscrire ma société").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "siret")))
        self.fill("email", email)
        self.fill("siret", siret[:-1] + str((int(siret[-1]) + 1) % 10))
        self.submit()
        summary = self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".error-summary")))
        assert "clé de contrôle" in summary.text, f"no checksum error in the summary: {summary.text!r}"
        assert d.switch_to.active_element == summary, "the error summary is not focused after a failed submission"
        link = summary.find_element(By.CSS_SELECTOR, "a[href='#siret']")
        link.click()
        assert d.switch_to.active_element.get_attribute("id") == "siret", "the summary link does not lead to the field"
        self.step("sign-up step 1 refuses a SIRET with a wrong key, with a summary linked to the field")
        self.check_accessibility("signup")
        self.shot("signup-errors")

        self.fill("siret", siret)
        self.submit()
        self.wait.until(EC.url_contains("/inscription/envoyee"))
        self.step(f"sign-up step 1 accepted {email} / SIRET {siret}")
        self.shot("signup-sent")

        link = None
        for _ in range(50):
            self.go("/dev/mail")
            found = d.find_elements(By.CSS_SELECTOR, f"article[data-mail-to='{email}'] a.mail-link")
            if found:
                link = found[0].get_attribute("href")
                break
            time.sleep(0.2)
        assert link, "no activation email for the new address in /dev/mail"
        self.step("the activation email is in the local mailbox")
        self.shot("dev-mail")

        path = "/" + link.split("://", 1)[1].split("/", 1)[1]
        self.go(path)
        self.wait.until(EC.presence_of_element_located((By.ID, "fullName")))
        self.fill("fullName", "Zoé Lambert")
        self.fill("password", PASSWORD)
        self.fill("passwordConfirmation", PASSWORD)
        self.fill("companyName", "Lambert Menuiserie")
        d.find_element(By.CSS_SELECTOR, "#legalForm option[value='SARL']").click()
        self.fill("shareCapital", "5 000")
        self.check_accessibility("activate")
        self.shot("activate")
        self.submit()
        self.wait.until(EC.url_contains("/tableau-de-bord"))
        assert "Lambert Menuiserie" in d.page_source, "the dashboard does not name the new company"
        self.step("sign-up step 2 created the company; its principal manager is signed in on the dashboard")
        self.check_accessibility("dashboard")
        self.shot("dashboard")

        self.go(path)
        assert "expiré" in d.page_source or "déjà utilisé" in d.page_source, "the activation link works twice"
        self.step("the activation link works once")

        # Pages built by the company/users/clients work.
        self.go("/societe")
        if not self.is_missing("Ma société", "/societe"):
            self.check_accessibility("company")
            self.shot("company")
            self.step("Ma société opens")

        self.go("/clients/nouveau")
        if not self.is_missing("Mes clients — nouveau client", "/clients/nouveau"):
            self.fill("name", "Scierie des Vosges SAS")
            if d.find_elements(By.ID, "siret"):
                self.fill("siret", random_siret())
            if d.find_elements(By.ID, "emails"):
                self.fill("emails", "compta@scierie-vosges.example")
            self.check_accessibility("client form")
            self.shot("client-new")
            self.submit("main form[method=post][action$='/clients/nouveau']")
            self.wait.until(lambda drv: "/clients/nouveau" not in drv.current_url or drv.find_elements(By.CSS_SELECTOR, ".error-summary"))
            errors = d.find_elements(By.CSS_SELECTOR, ".error-summary")
            assert not errors, f"the client form was refused: {errors[0].text if errors else ''}"
            self.go("/clients")
            assert "Scierie des Vosges SAS" in d.page_source, "the new client is not in the list"
            self.step("a client was added and is listed in Mes clients")
            self.shot("clients")

        self.go("/utilisateurs")
        if not self.is_missing("Mes utilisateurs", "/utilisateurs"):
            forms = d.find_elements(By.CSS_SELECTOR, "form[action$='/utilisateurs/invitations']")
            assert forms, "no invitation form on Mes utilisateurs"
            invited = "collegue-" + email
            field = forms[0].find_element(By.CSS_SELECTOR, "input[name=email]")
            field.clear()
            field.send_keys(invited)
            forms[0].find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait.until(lambda drv: invited in drv.page_source)
            self.step(f"{invited} was invited from Mes utilisateurs")
            self.check_accessibility("users")
            self.shot("users")

        # Small screen: the menu collapses behind a button.
        d.set_window_size(390, 844)
        self.go("/tableau-de-bord")
        toggle = d.find_element(By.CSS_SELECTOR, ".nav-toggle")
        assert toggle.is_displayed(), "no menu button on a phone-sized screen"
        toggle.click()
        assert d.find_element(By.ID, "site-nav").is_displayed(), "the menu does not open"
        d.save_screenshot(os.path.join(self.shots, "dashboard-mobile.png"))
        d.set_window_size(1280, 900)
        self.step("on a phone-sized screen the navigation opens from the menu button")

        d.find_element(By.CSS_SELECTOR, ".logout-form button").click()
        self.wait.until(EC.url_contains("/connexion"))
        self.fill("email", email)
        self.fill("password", PASSWORD)
        self.submit()
        self.wait.until(EC.url_contains("/tableau-de-bord"))
        self.step("logout, then login with the new password")

        self.go("/connexion?lang=en")
        assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert "My dashboard" in d.page_source or "Sign in" in d.page_source
        self.go("/tableau-de-bord")
        assert "My dashboard" in d.page_source, "the English choice is not remembered"
        self.shot("dashboard-en")
        self.go("/tableau-de-bord?lang=fr")
        self.step("English on request, remembered; back to French")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="Facteur's address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--shots", required=True, help="folder for the screenshots")
    args = parser.parse_args()
    run = Run(args.base, args.shots)
    try:
        run.run()
    except (AssertionError, NoSuchElementException, TimeoutException) as e:
        name = type(e).__name__
        print(f"FAIL after {len(run.steps)} steps: {name}: {e}", flush=True)
        print(f"     at {run.driver.current_url} — {run.driver.title}", flush=True)
        traceback.print_exc()
        try:
            run.driver.save_screenshot(os.path.join(args.shots, "failure.png"))
        except Exception:
            pass
        run.driver.quit()
        return 1
    run.driver.quit()
    print(f"PASS {len(run.steps)} steps" + (f"; missing pages: {', '.join(run.missing)}" if run.missing else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
