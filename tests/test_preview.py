"""`pipeline preview` in a real browser: headless Chromium (Debian) driven by Selenium.

One preview server (a `pipeline preview alpha` subprocess on a copy of the tiny
fixture content) and one browser serve the module; the page is loaded once, so every
change seen in it arrived by itself, without a reload. Each test that edits the copy
puts the file back and waits for the page to settle again.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from preview_support import PreviewProcess, chromium, settled
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WAIT_S = 120  # a loaded 2-core CI machine: generous, the waits return as soon as the page is right
TOPIC = "alpha"
ORIGINAL_INTRO = 'Alpha affects everyone; is it "serious"? Yes!'


def long_intro(sentences: int) -> str:
    return " ".join(f"Sentence {k} of this long paragraph pushes the factsheet onto another page."
                    for k in range(sentences))


@pytest.fixture(scope="module")
def content(module_content) -> Path:
    return module_content


@pytest.fixture(scope="module")
def server(content, tmp_path_factory):
    with PreviewProcess(content, TOPIC, tmpdir=tmp_path_factory.mktemp("tmp")) as process:
        process.wait_state(settled(["en", "fr"]), timeout=WAIT_S)
        yield process


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        driver.get(server.url)
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def topic_file(content, server, browser):
    """The English topic file, restored (and the page settled on it) after the test."""
    path = content / "en" / f"{TOPIC}.yaml"
    original = path.read_text(encoding="utf-8")
    yield path
    path.write_text(original, encoding="utf-8")
    wait(browser, lambda d: not errors_shown(d) and page_count(d, "en") == 1 and status(d) == "up to date")


def wait(driver, condition, timeout: float = WAIT_S):
    # The page replaces its elements when new pages arrive: an element found a moment ago
    # may be gone when the condition reads it. That is "not yet", not a failure.
    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def figure(driver, lang: str, page: int):
    found = driver.find_elements(By.CSS_SELECTOR, f'figure[data-lang="{lang}"][data-page="{page}"] img')
    return found[0] if found else None


def loaded(driver, lang: str, page: int) -> bool:
    img = figure(driver, lang, page)
    return img is not None and driver.execute_script("return arguments[0].complete && "
                                                     "arguments[0].naturalWidth > 0", img)


def page_count(driver, lang: str) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, f'figure[data-lang="{lang}"]'))


def generation(driver, lang: str) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f'.lang[data-lang="{lang}"]').get_attribute("data-generation"))


def status(driver) -> str:
    return driver.find_element(By.ID, "status").text


def errors_shown(driver) -> list[str]:
    box = driver.find_element(By.ID, "problems")
    if not box.is_displayed():
        return []
    return [li.text for li in box.find_elements(By.TAG_NAME, "li")]


@pytest.mark.slow
def test_languages_side_by_side(server, browser):
    wait(browser, lambda d: loaded(d, "en", 1) and loaded(d, "fr", 1))
    en, fr = figure(browser, "en", 1).rect, figure(browser, "fr", 1).rect
    assert abs(en["y"] - fr["y"]) < 2, "page 1 of both languages on one row"
    assert fr["x"] >= en["x"] + en["width"], "French to the right of English"
    assert en["width"] > 300 and en["height"] > en["width"], "a portrait page, large enough to read"
    assert browser.find_element(By.CSS_SELECTOR, '.lang[data-lang="fr"] span').text == "Criminalité alpha"
    assert status(browser) == "up to date" and errors_shown(browser) == []
    src = figure(browser, "en", 1).get_attribute("src")
    code, body = server.get(src.removeprefix(server.url.rstrip("/")))
    assert code == 200 and body.startswith(b"\x89PNG")


@pytest.mark.slow
def test_a_save_shows_the_new_page_without_reloading(server, browser, topic_file):
    wait(browser, lambda d: loaded(d, "en", 1))
    browser.execute_script("window.stillTheSamePage = true")
    en_before, fr_before = generation(browser, "en"), generation(browser, "fr")
    fr_src = figure(browser, "fr", 1).get_attribute("src")
    text = topic_file.read_text(encoding="utf-8")
    topic_file.write_text(text.replace(ORIGINAL_INTRO, long_intro(70)), encoding="utf-8")
    wait(browser, lambda d: loaded(d, "en", 2))
    assert browser.execute_script("return window.stillTheSamePage === true"), "the page was reloaded"
    assert page_count(browser, "en") == 2 and page_count(browser, "fr") == 1
    assert generation(browser, "en") > en_before
    assert generation(browser, "fr") == fr_before, "French did not change, so it was not rendered again"
    assert figure(browser, "fr", 1).get_attribute("src") == fr_src
    en2, en1 = figure(browser, "en", 2).rect, figure(browser, "en", 1).rect
    assert en2["y"] > en1["y"] + en1["height"] * 0.9, "page 2 below page 1"


@pytest.mark.slow
def test_invalid_content_shows_located_errors_above_the_last_good_pages(server, browser, topic_file):
    wait(browser, lambda d: loaded(d, "en", 1))
    browser.execute_script("window.stillTheSamePage = true")
    good_src = figure(browser, "en", 1).get_attribute("src")
    text = topic_file.read_text(encoding="utf-8")

    topic_file.write_text(text.replace("lead: Alpha is a test topic.", 'lead: ""'), encoding="utf-8")
    shown = wait(browser, errors_shown)
    assert shown == [f"{topic_file}:3: lead: must not be empty"]
    problems, pages = browser.find_element(By.ID, "problems").rect, figure(browser, "en", 1).rect
    assert problems["y"] + problems["height"] <= pages["y"], "errors above the pages"
    assert loaded(browser, "en", 1) and loaded(browser, "fr", 1), "the last good pages stay"
    assert figure(browser, "en", 1).get_attribute("src") == good_src

    topic_file.write_text(text.replace("related: [beta]", "related: [beta"), encoding="utf-8")
    shown = wait(browser, lambda d: [e for e in errors_shown(d) if "YAML" in e])
    assert shown == [f"{topic_file}:19: this text starts with [ and YAML looks for its closing ] in vain: close it, "
                     "or, if it is text, put the whole text in double quotes"]

    topic_file.write_text(text, encoding="utf-8")
    wait(browser, lambda d: not errors_shown(d))
    assert loaded(browser, "en", 1) and loaded(browser, "fr", 1)
    assert browser.execute_script("return window.stillTheSamePage === true")


@pytest.mark.slow
def test_a_render_failure_is_shown_the_same_way(server, browser, topic_file):
    wait(browser, lambda d: loaded(d, "en", 1))
    good_src = figure(browser, "en", 1).get_attribute("src")
    text = topic_file.read_text(encoding="utf-8")
    topic_file.write_text(text.replace(ORIGINAL_INTRO, long_intro(150)), encoding="utf-8")
    shown = wait(browser, errors_shown)
    assert len(shown) == 1 and shown[0].startswith("en: factsheet "), shown
    assert "runs to 3 pages; a factsheet must fit on 2: shorten the topic 'alpha'" in shown[0]
    assert figure(browser, "en", 1).get_attribute("src") == good_src, "the last good pages stay"
    assert status(browser) == "up to date"


TRAVERSALS = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/pages/../../../../etc/passwd",
    "/pages/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/pages/..%2f..%2fetc%2fpasswd.png",
    "/etc/passwd",
    "//etc/passwd",
    "/pages/en-1-000000000000.png",
    "/page.html",
    "/pipeline/preview/server.py",
]


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAVERSALS)
def test_only_its_own_pages_are_served(server, path):
    code, body = server.get(path)
    assert code == 404
    assert b"root:" not in body


@pytest.mark.slow
def test_other_hosts_are_refused(server):
    code, _ = server.get("/state.json", host="attacker.example")
    assert code == 403


@pytest.mark.slow
def test_traversal_in_the_browser_is_a_404(server, browser):
    main = browser.current_window_handle
    browser.switch_to.new_window("tab")
    try:
        for path in ("%2e%2e/%2e%2e/etc/passwd", "../../etc/passwd"):
            browser.get(server.url + path)
            assert "not found" in browser.page_source and "root:" not in browser.page_source
    finally:
        browser.close()
        browser.switch_to.window(main)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["serving", "starting", "serving, started with SIGINT ignored"])
def test_ctrl_c_stops_cleanly_and_leaves_nothing(tmp_path, when):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with PreviewProcess(content, TOPIC, tmpdir=tmpdir, sigint_ignored="ignored" in when) as process:
        if when.startswith("serving"):
            process.wait_state(settled(["en", "fr"]), timeout=WAIT_S)
        assert [p.name[:17] for p in tmpdir.iterdir()] == ["pipeline-preview-"]
        started = process.descendants()
        assert len(started) >= 2, "two render workers"
        code, out, err = process.interrupt()
    assert code == 0, err
    assert out.rstrip().endswith("preview stopped")
    assert "Traceback" not in err, err
    assert list(tmpdir.iterdir()) == [], "temporary files left behind"
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()], "processes left behind"


def test_the_command_needs_one_document(run_cli):
    result = run_cli("--content", FIXTURES / "valid", "preview")
    assert result.exit_code == 2 and "name a topic ID or --handbook" in result.output
    result = run_cli("--content", FIXTURES / "valid", "preview", "alpha", "--handbook")
    assert result.exit_code == 2
    result = run_cli("--content", FIXTURES / "valid", "preview", "alhpa")
    assert result.exit_code == 2 and "unknown topic 'alhpa'. Did you mean 'alpha'?" in result.output
