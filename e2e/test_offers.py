"""Journey: search for a store, open it, get a code, and land on the store through the
click-out with our click id as the sub-id. The "store" is a local page in this test."""

import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, assert_fits_the_screen, snapshot


class StorePage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Myntra (test store)</title><h1>Welcome to the store</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def store_url(live_url, live_env):
    server = HTTPServer(("127.0.0.1", 0), StorePage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    # Send Myntra's click-outs to the local store instead of an affiliate network.
    template = f"{url}/landing?sub={{click_id}}"
    script = (
        "from catalog.models import Merchant\n"
        "m = Merchant.objects.get(slug='myntra')\n"
        f"m.tracking_url_template = {template!r}\n"
        "m.save()\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=live_env, check=True
    )
    yield url
    server.shutdown()


def test_shopper_searches_opens_a_store_gets_a_code_and_lands_on_the_store(page, store_url):
    page.goto("/")
    if page.device == "phone":
        page.get_by_role("button", name="Menu").click()
    search = page.locator("header").get_by_label("Search stores and coupons")
    search.fill("Myntra")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=Myntra"))
    assert_fits_the_screen(page)
    snapshot(page, "search")
    page.locator("main").get_by_role("link", name=re.compile("^Myntra")).first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Myntra")
    assert_fits_the_screen(page)
    snapshot(page, "merchant")
    get_code = page.locator(".cz-get-code").first
    with page.context.expect_page() as store_tab:
        get_code.click()

    store = store_tab.value
    store.wait_for_load_state()
    expect(store.get_by_role("heading", level=1)).to_have_text("Welcome to the store")
    assert re.fullmatch(rf"{re.escape(store_url)}/landing\?sub=[0-9a-f-]{{36}}", store.url)
    # and back on Coupzii the code is shown, ready to paste
    expect(page.locator(".cz-code-reveal:not([hidden]) .cz-code").first).to_be_visible()
    snapshot(page, "code-revealed")
    store.close()
