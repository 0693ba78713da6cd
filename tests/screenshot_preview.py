"""Take the README's screenshots of `pipeline preview` with headless Chromium (`make screenshot`).

On a scratch copy of the real content, the financial-crime factsheet in English and
French side by side (docs/preview-live.png), then the same page after a save that
misspelt a key in the English file (docs/preview-error.png): the located error above the last
good pages. Nothing is drawn: these are what the browser shows.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preview_support import ROOT, PreviewProcess, chromium, settled
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TOPIC = "financial-crime"
DOCS = ROOT / "docs"


def all_images_loaded(driver) -> bool:
    return driver.execute_script(
        "const imgs = [...document.querySelectorAll('figure img')];"
        "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);")


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="screenshot-preview-"))
    try:
        content = scratch / "content"
        shutil.copytree(ROOT / "content", content)
        # Run from the scratch folder, so that errors name content/en/... as they would for an editor.
        with PreviewProcess(Path("content"), TOPIC, cwd=scratch) as server:
            server.wait_state(settled(["en", "fr"]), timeout=300)
            driver = chromium(scratch / "profile", width=1280, height=1000)
            try:
                driver.get(server.url)
                WebDriverWait(driver, 120).until(all_images_loaded)
                driver.save_screenshot(str(DOCS / "preview-live.png"))
                topic = content / "en" / f"{TOPIC}.yaml"
                text = topic.read_text(encoding="utf-8")
                topic.write_text(text.replace("\ntitle: ", "\ntitel: ", 1), encoding="utf-8")
                WebDriverWait(driver, 120).until(lambda d: d.find_element(By.ID, "problems").is_displayed())
                driver.set_window_size(1280, 520)
                driver.save_screenshot(str(DOCS / "preview-error.png"))
            finally:
                driver.quit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {DOCS / 'preview-live.png'} and {DOCS / 'preview-error.png'}")


if __name__ == "__main__":
    main()
