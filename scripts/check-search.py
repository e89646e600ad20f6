#!/usr/bin/env python3
"""Runs searches on a built Prensa site in headless Chromium and checks the results.

Usage: check-search.py URL_OF_SEARCH_PAGE EXPECTATIONS_JSON

EXPECTATIONS_JSON maps a query to the list of result paths it must return (in any order; no
other result allowed). Prints one line per query and exits 1 when any check fails.
"""
import json
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=pt-BR"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(driver, script, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    return None


def results(driver, page, query):
    driver.get(page + "?q=" + urllib.parse.quote(query))
    # Pagefind writes "N resultados encontrados para …" (or "Nenhum resultado…") when done.
    message = wait_for(
        driver,
        "var m = document.querySelector('.pagefind-ui__message');"
        "return m && !/Pesquisando/.test(m.textContent) && m.textContent.trim() ? m.textContent.trim() : null;",
    )
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a")]
    return message, [urllib.parse.urlparse(link).path for link in links]


def main():
    page, expectations = sys.argv[1], json.loads(sys.argv[2])
    driver = browser()
    failures = 0
    try:
        driver.get(page)
        placeholder = wait_for(
            driver, "var i = document.querySelector('.pagefind-ui__search-input'); return i && i.placeholder;"
        )
        ok = placeholder == "Pesquisar"
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  UI language: placeholder {placeholder!r} (want 'Pesquisar')")
        label = driver.execute_script(
            "var i = document.querySelector('.pagefind-ui__search-input'); return i.getAttribute('aria-labelledby');"
        )
        ok = label == "busca-titulo"
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  search field labelled by the page heading (aria-labelledby {label!r})")
        for query, expected in expectations.items():
            message, paths = results(driver, page, query)
            ok = sorted(paths) == sorted(expected)
            failures += not ok
            print(f"{'PASS' if ok else 'FAIL'}  {query!r:18} → {paths} ({message})")
    finally:
        driver.quit()
    print(f"{len(expectations) + 2 - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
