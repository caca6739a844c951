#!/usr/bin/env python3
"""The dashboard in a real browser (docs/DASHBOARD.md, "Tests").

Starts the real salesopsd on free loopback ports with --http-listen, loads
`salesctl demo`, and drives Debian's Chromium headless through Selenium and
chromedriver: signs in with a token, opens every page, and checks that the
numbers on the page equal the gRPC answers (read with `salesctl --json`) for
the same as_of_position; that a write made over gRPC appears on the open
audit page within 2 s; that a rep's token is refused another rep's review on
the page; that a bad token gets a clear message; and accessibility basics
(labels, captions, chart colour contrast, keyboard sorting of a table).
Saves a screenshot of each page into --screenshots.

Exit status 77 (ctest: skipped) when chromium or chromedriver is missing;
./deploy/dev.sh installs them.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ADMIN = "admin-token-0123456789abcdef"
REPS = {"wang_fang": "wang-fang-token-0123456789", "chen_chen": "chen-chen-token-0123456789"}


def feedback_text(f):
    """The dashboard's text for a review's feedback status (app.js feedbackText)."""
    version = int(f.get("version", 0))
    if not version:
        return "—"
    if f.get("acknowledged"):
        return f"v{version} · 已确认 acknowledged"
    acknowledged = int(f.get("acknowledgedVersion", 0))
    if acknowledged:
        return f"v{version} · 未确认 not acknowledged (v{acknowledged} 已确认)"
    return f"v{version} · 未确认 not acknowledged"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Server:
    def __init__(self, salesopsd, salesctl, work):
        self.salesctl = salesctl
        self.work = work
        with open(os.path.join(work, "tokens"), "w") as tokens:
            tokens.write(f"{ADMIN} admin\n")
            for member, token in REPS.items():
                tokens.write(f"{token} {member}\n")
        self.log_path = os.path.join(work, "salesopsd.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [salesopsd, "--listen=127.0.0.1:0", "--http-listen=127.0.0.1:0", f"--data-dir={work}/db",
             f"--tokens-file={work}/tokens", "--bootstrap-admin=admin", "--snapshot-every-events=0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            text = open(self.log_path).read()
            grpc = re.search(r"listening on \S+ \(port (\d+)\)", text)
            http = re.search(r"dashboard port (\d+)", text)
            if grpc and http:
                self.grpc_port, self.http_port = int(grpc.group(1)), int(http.group(1))
                return
            if self.process.poll() is not None:
                fail(f"salesopsd exited:\n{text}")
            time.sleep(0.05)
        fail("salesopsd did not start")

    def ctl(self, *args, token=ADMIN):
        env = dict(os.environ, SALESOPS_TOKEN=token, SALESOPS_SERVER=f"127.0.0.1:{self.grpc_port}")
        run = subprocess.run([self.salesctl, *args], env=env, capture_output=True, text=True, timeout=120)
        check(run.returncode == 0, f"salesctl {' '.join(args)}: {run.stderr}")
        return run.stdout

    def json(self, *args, token=ADMIN):
        return json.loads(self.ctl(*args, "--json", token=token))

    def stop(self):
        """SIGTERM; the exit status (0: a clean drain, and no sanitizer report)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()
        return self.process.returncode


def minor_units(text):
    """'12,766,500.00 CNY' -> (1276650000, 'CNY')."""
    amount, currency = text.strip().split(" ")
    return int(round(float(amount.replace(",", "")) * 100)), currency


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour):
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--salesopsd", required=True)
    parser.add_argument("--salesctl", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        print("SKIP: chromium and chromedriver are needed (./deploy/dev.sh install)", file=sys.stderr)
        return 77
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    os.makedirs(args.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="salesops-browser-")
    server = Server(args.salesopsd, args.salesctl, work)
    driver = None
    try:
        started = time.time()
        server.ctl("demo")
        print(f"demo loaded in {time.time() - started:.1f}s", file=sys.stderr)
        head = int(server.json("get-log-digest")["position"])

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in ("--headless=new", "--no-sandbox", f"--user-data-dir={work}/profile", "--disable-gpu",
                     "--window-size=1400,1100", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions",
                     "--disable-default-apps", "--lang=zh-CN",
                     # Only loopback: every other name fails to resolve.
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        wait = WebDriverWait(driver, 15)
        base = f"http://127.0.0.1:{server.http_port}"

        def shot(name):
            driver.save_screenshot(os.path.join(args.screenshots, f"{name}.png"))

        def sign_in(token):
            driver.get(base + "/")
            driver.execute_script("sessionStorage.clear()")
            driver.get(base + "/")
            field = wait.until(ec.visibility_of_element_located((By.ID, "token")))
            field.send_keys(token)
            field.send_keys(Keys.ENTER)

        def rows(table_id):
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"#{table_id} tbody tr")))
            return [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
                    for row in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")]

        def no_browser_errors():
            for entry in driver.get_log("browser"):
                check(entry["level"] != "SEVERE" or "favicon" in entry["message"] or "status of 40" in entry["message"],
                      f"browser console: {entry['message']}")

        # A bad token: a clear message, and the pages stay closed.
        sign_in("not-a-token-0123456789abcdef")
        error = wait.until(ec.visibility_of_element_located((By.ID, "error")))
        check("令牌无效" in error.text and "Not signed in" in error.text and "TOKEN_UNKNOWN" in error.text,
              f"bad token message: {error.text!r}")
        check(not driver.find_element(By.ID, "nav").is_displayed(), "the navigation shows without a token")
        shot("signin-refused")

        # Sign in; the token lives in sessionStorage only, never a cookie.
        sign_in(ADMIN)
        wait.until(ec.presence_of_element_located((By.ID, "funnel")))
        check(driver.execute_script("return sessionStorage.getItem('salesops.token')") == ADMIN, "token not in sessionStorage")
        check(driver.execute_script("return localStorage.length") == 0, "something in localStorage")
        check(driver.get_cookies() == [], f"cookies: {driver.get_cookies()}")

        # Pipeline, as of two positions (time travel): counts and values equal gRPC's.
        for position in (head // 2, head):
            driver.get(f"{base}/pipeline?as_of_position={position}")
            wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "p.view"), f"log position {position}"))
            page = rows("funnel")
            grpc = server.json("get-pipeline", f"--view.as_of_position={position}")
            check(len(page) == len(grpc["stages"]) == 6, f"funnel rows: {page}")
            for row, stage in zip(page, grpc["stages"]):
                check(int(row[1]) == int(stage.get("openLeads", 0)), f"{stage['stage']} open leads: page {row[1]}, gRPC {stage}")
                values = [minor_units(v) for v in row[3].splitlines() if v.strip()]
                expected = [(int(v["total"]["amountMinor"]), v["currency"]) for v in stage.get("values", [])]
                check(values == expected, f"{stage['stage']} values: page {values}, gRPC {expected}")
                weighted = [minor_units(v) for v in row[4].splitlines() if v.strip()]
                check(weighted == [(int(v["weighted"]["amountMinor"]), v["currency"]) for v in stage.get("values", [])],
                      f"{stage['stage']} weighted: {weighted}")
            conversions = rows("conversions")
            for row, c in zip(conversions, grpc["conversions"]):
                check(row[2] == f"{c.get('reachedTo', '0')}/{c.get('reachedFrom', '0')}", f"conversion {row} vs {c}")
        # The date picker moves the page's URL (bookmarkable) and the view.
        picker = driver.find_element(By.ID, "f-as_of_time")
        check(driver.find_element(By.CSS_SELECTOR, "label[for='f-as_of_time']").text, "the date picker has no label")
        driver.execute_script("arguments[0].value = '2026-01-01T00:00:00'", picker)
        driver.find_element(By.ID, "f-as_of_position").clear()
        picker.submit()
        wait.until(ec.url_contains("as_of_time=2026-01-01T00"))
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "p.view"), "log position 0"))
        driver.get(f"{base}/pipeline?as_of_position={head}")
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "p.view"), f"log position {head}"))
        # Chart colours: every bar colour at least 4.5:1 against the white page.
        colours = driver.execute_script(
            "return Object.values(Chart.instances).flatMap(c => c.data.datasets.flatMap(d => [].concat(d.backgroundColor)))")
        check(colours, "no chart drawn")
        for colour in set(colours):
            check(contrast_with_white(colour) >= 4.5, f"chart colour {colour}: contrast {contrast_with_white(colour):.2f}")
        # Keyboard: Tab to a column heading of the funnel, Enter sorts it.
        body = driver.find_element(By.TAG_NAME, "body")
        body.click()
        for _ in range(60):
            active = driver.switch_to.active_element
            if active.get_attribute("class") == "sort" and active.text.startswith("线索 Open"):
                break
            active.send_keys(Keys.TAB)
        else:
            fail("Tab never reached the funnel's 'Open' column heading")
        active.send_keys(Keys.ENTER)
        sorted_counts = [int(r[1]) for r in rows("funnel")]
        check(sorted_counts == sorted(sorted_counts), f"sorted by keyboard: {sorted_counts}")
        check(driver.execute_script("return document.activeElement.closest('th').getAttribute('aria-sort')") == "ascending",
              "aria-sort not set")
        driver.get(f"{base}/pipeline?as_of_position={head}")
        wait.until(ec.presence_of_element_located((By.ID, "funnel")))
        shot("pipeline")

        # Workload: a member's load as gRPC says.
        driver.get(f"{base}/workload?as_of_position={head}")
        page = {r[0]: r for r in rows("members")}
        grpc = server.json("get-workload", f"--view.as_of_position={head}")
        member = next(m for m in grpc["members"] if m["memberId"] == "wang_fang")
        check(int(page[member["displayName"]][2]) == int(member.get("load", 0)),
              f"王芳's load: page {page[member['displayName']]}, gRPC {member.get('load')}")
        check(driver.execute_script("return document.fonts.check('16px \"WenQuanYi Micro Hei\"')"), "no CJK font")
        # Overload as gRPC's load ratio says (the demo gives two BD managers
        # small capacities): the state column, and one bar colour per state.
        def state_of(m):
            ratio = float(m.get("loadRatio", 0))
            if not m.get("capacity"):
                return ""
            return "over" if ratio > 1 else "near" if ratio >= 0.8 else ""
        active = [m for m in grpc["members"] if m.get("active")]
        states = {m["memberId"]: state_of(m) for m in active}
        check({"over", "near"} <= set(states.values()), f"the demo has no member over and near capacity: {states}")
        for m in active:
            text = page[m.get("displayName") or m["memberId"]][7]
            want = {"over": "超载 over capacity", "near": "接近上限 near capacity", "": ""}[states[m["memberId"]]]
            check(text == want, f"{m['memberId']}: state {text!r}, load ratio {m.get('loadRatio')} wants {want!r}")
        colours = driver.execute_script(
            "return Chart.getChart(document.querySelector('#page canvas')).data.datasets[0].backgroundColor")
        by_state = {}
        for m, colour in zip(active, colours):
            by_state.setdefault(states[m["memberId"]], set()).add(colour)
        check(all(len(c) == 1 for c in by_state.values()) and len({next(iter(c)) for c in by_state.values()}) == 3,
              f"bar colours by state: {by_state}")
        shot("workload")

        # Reviews: the ranking's scores and a policy comparison's rank changes.
        # Last month: the demo's history covers it whole.
        today = time.gmtime()
        period = f"{today.tm_year - (today.tm_mon == 1)}-{(today.tm_mon - 2) % 12 + 1:02d}"
        policies = [p["version"] for p in server.json("list-scoring-policies")["policies"]]
        check(len(policies) >= 2, f"the demo's policies: {policies}")
        driver.get(f"{base}/reviews?period={period}&role=ROLE_SALES_REP&policy={policies[1]}&policy_a={policies[0]}"
                   f"&policy_b={policies[1]}&as_of_position={head}")
        ranking = rows("ranking")
        grpc = server.json("list-performance-reviews", "--role=sales_rep", f"--period={period}",
                           f"--policy_version={policies[1]}", f"--view.as_of_position={head}")
        check(any(float(r.get("score", 0)) > 0 for r in grpc["reviews"]), f"no review scored: {grpc}")
        check(len(ranking) == len(grpc["reviews"]), f"ranking rows {len(ranking)} vs {len(grpc['reviews'])}")
        for row, review in zip(ranking, grpc["reviews"]):
            check(row[0] == review["review"]["displayName"] and f"{float(review.get('score', 0)):.2f}" == row[2],
                  f"review score: page {row}, gRPC {review['review']['displayName']} {review.get('score')}")
            want = feedback_text(review["review"].get("feedback", {}))
            check(row[4] == want, f"feedback status of {row[0]}: page {row[4]!r}, gRPC {want!r}")
            hours = f"{float(review['review'].get('trainingHours', 0)):.1f}"
            check(row[5] == hours, f"training hours of {row[0]}: page {row[5]!r}, gRPC {hours!r}")
        # The demo's product session on the 10th of last month: 2 h for every
        # rep but 张伟, who left after an hour.
        check(sorted(r[5] for r in ranking) == ["1.0"] + ["2.0"] * 5, f"the demo's training: {[r[5] for r in ranking]}")
        # The demo wrote feedback on three reps' reviews, one corrected.
        check(sorted(r[4] for r in ranking if r[4] != "—") ==
              ["v1 · 未确认 not acknowledged"] * 2 + ["v2 · 未确认 not acknowledged"],
              f"the demo's feedback: {[r[4] for r in ranking]}")
        compared = rows("comparison")
        grpc = server.json("compare-reviews", "--role=sales_rep", f"--period={period}", f"--policy_a={policies[0]}",
                           f"--policy_b={policies[1]}", f"--view.as_of_position={head}")
        for row, c in zip(compared, grpc["rows"]):
            change = int(c.get("rankChange", 0))
            check(row[5] == (f"▲ {change}" if change > 0 else f"▼ {-change}" if change < 0 else "—"), f"rank change {row} vs {c}")
        shot("reviews")

        # Lead: the timeline has every stage change.
        driver.get(f"{base}/lead?id=demo-0001")
        timeline = rows("timeline")
        grpc = server.json("list-stage-changes", "--lead_id=demo-0001", "--page_size=1000")
        check(len(timeline) == len(grpc["changes"]), f"timeline {len(timeline)} rows, gRPC {len(grpc['changes'])}")
        check(any("named in the command" in r[6] or "least loaded" in r[6] for r in timeline), "no hand-off explained")
        shot("lead")

        # Meetings: next week's team meeting (the demo's, still ahead) and its
        # provisional brief, row for row as gRPC gives it, with the action
        # items carried forward from the meetings before.
        meetings = server.json("list-meetings", "--member_id=team")["meetings"]
        ahead = [m["meetingId"] for m in meetings if m.get("status") == "MEETING_STATUS_SCHEDULED"]
        check(ahead, f"the demo has no team meeting ahead: {[m['meetingId'] for m in meetings]}")
        driver.get(f"{base}/meetings?id={ahead[0]}")
        brief_rows = {r[0]: r for r in rows("brief")}
        grpc = server.json("get-meeting-brief", f"--meeting_id={ahead[0]}")
        check(grpc.get("provisional") is True, f"the brief of a meeting ahead is not provisional: {grpc.get('provisional')}")
        check(len(brief_rows) == len(grpc["members"]), f"brief rows {len(brief_rows)}, gRPC {len(grpc['members'])}")
        for m in grpc["members"]:
            row = brief_rows[m.get("displayName") or m["memberId"]]
            check(int(row[2]) == len(m.get("wins", [])) and int(row[4]) == len(m.get("losses", []))
                  and int(row[5]) == int(m.get("slaOverdue", 0)),
                  f"{m['memberId']}: page {row}, gRPC wins {len(m.get('wins', []))} losses {len(m.get('losses', []))}")
        check(sum(len(m.get("wins", [])) for m in grpc["members"]) > 0, "the brief shows no win")
        carried = rows("carried")
        check(len(carried) == len(grpc.get("carriedForward", [])) > 0,
              f"carried forward: page {len(carried)}, gRPC {len(grpc.get('carriedForward', []))}")
        check("暂定" in driver.find_element(By.ID, "brief-info").text, "the page does not say the brief is provisional")
        shot("meetings")

        # Audit: a gRPC write appears on the open page within 2 s, no reload.
        driver.get(f"{base}/audit")
        wait.until(ec.text_to_be_present_in_element((By.ID, "live"), "●"))
        check(len(driver.find_element(By.CSS_SELECTOR, "#digest code").text) == 64, "no chain digest at the head")
        written = time.time()
        server.ctl("identify-lead", "--lead_id=browser-live-1", "--company=实时写入测试有限公司", "--contact.name=林雪",
                   "--source=referral", token=REPS["wang_fang"])
        try:
            WebDriverWait(driver, 2, poll_frequency=0.05).until(
                ec.text_to_be_present_in_element((By.ID, "audit-rows"), "lead-browser-live-1"))
        except Exception:
            shot("audit-failed")
            fail(f"the write did not reach the audit page within 2 s; live: {driver.find_element(By.ID, 'live').text!r}, "
                 f"console: {driver.get_log('browser')}")
        print(f"a gRPC write reached the audit page in {time.time() - written:.2f}s", file=sys.stderr)
        driver.find_element(By.ID, "verify").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "verify-result"), "✓"))
        shot("audit")

        # Audit with a stream prefix: the live table gets only those streams
        # (Audit.Subscribe's stream_prefix), and so does the page read after.
        driver.get(f"{base}/audit?prefix=lead-browser-pfx-")
        wait.until(ec.text_to_be_present_in_element((By.ID, "live"), "●"))
        before = driver.find_elements(By.CSS_SELECTOR, "#audit-rows tr")
        check(not before, f"{len(before)} rows before any lead-browser-pfx- event")
        server.ctl("identify-lead", "--lead_id=browser-other-1", "--company=前缀之外有限公司", "--contact.name=周杰",
                   "--source=referral", token=REPS["wang_fang"])
        server.ctl("identify-lead", "--lead_id=browser-pfx-1", "--company=前缀测试有限公司", "--contact.name=吴敏",
                   "--source=referral", token=REPS["wang_fang"])
        WebDriverWait(driver, 2, poll_frequency=0.05).until(
            ec.text_to_be_present_in_element((By.ID, "audit-rows"), "lead-browser-pfx-1"))
        streams = [r[2] for r in rows("audit")]
        check(streams and all(s.startswith("lead-browser-pfx-") for s in streams),
              f"the live table under prefix lead-browser-pfx- shows {streams}")
        driver.get(f"{base}/audit?prefix=lead-browser-")
        wait.until(ec.text_to_be_present_in_element((By.ID, "live"), "●"))
        streams = {r[2] for r in rows("audit")}
        check({"lead-browser-live-1", "lead-browser-other-1", "lead-browser-pfx-1"} <= streams and
              all(s.startswith("lead-browser-") for s in streams), f"the page under prefix lead-browser- shows {streams}")
        no_browser_errors()

        # Every form field has a label; every table a caption and headed columns.
        for path in ("/pipeline", "/workload", "/reviews", "/lead?id=demo-0001", "/audit", "/meetings"):
            driver.get(base + path)
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#page table, #page form")))
            unlabelled = driver.execute_script(
                "return [...document.querySelectorAll('input, select')].filter(e => !e.labels || e.labels.length === 0)"
                ".map(e => e.id)")
            check(unlabelled == [], f"{path}: fields without a label: {unlabelled}")
            bare = driver.execute_script(
                "return [...document.querySelectorAll('table')].filter(t => !t.caption || !t.querySelector('th[scope=col]'))"
                ".map(t => t.id)")
            check(bare == [], f"{path}: tables without caption or column headings: {bare}")

        # A rep: their own review, and a refusal for another rep's.
        sign_in(REPS["wang_fang"])
        wait.until(ec.presence_of_element_located((By.ID, "funnel")))
        driver.get(f"{base}/reviews?period={period}&member=wang_fang&policy={policies[1]}")
        own = rows("review")
        grpc = server.json("get-performance-review", f"--period={period}", f"--policy_version={policies[1]}",
                           token=REPS["wang_fang"])
        score = float(next(r for r in grpc["roles"] if r["role"] == "ROLE_SALES_REP").get("score", 0))
        caption = driver.find_element(By.CSS_SELECTOR, "#review caption").text
        check(caption.endswith(f"score {score:.2f}"), f"王芳's own review: page {caption!r}, gRPC {score}")
        # ... with the feedback on it, every version, as gRPC returns it to her.
        feedback = server.json("get-review-feedback", f"--period={period}", token=REPS["wang_fang"])
        shown = rows("feedback")
        check([r[0] for r in shown] == [str(v["version"]) for v in feedback["versions"]] and
              [r[5] for r in shown] == ["；".join(v.get("goals", [])) for v in feedback["versions"]],
              f"王芳's feedback: page {shown}, gRPC {feedback}")
        status = driver.find_element(By.ID, "training-status").text
        want = f"{float(grpc.get('trainingHours', 0)):.1f} h · {grpc.get('trainingSessions', 0)} 次"
        check(want in status, f"王芳's training: page {status!r}, gRPC {want!r}")
        shot("review-feedback")
        driver.get(f"{base}/reviews?period={period}&member=chen_chen")
        refusal = wait.until(ec.visibility_of_element_located((By.ID, "error")))
        check("无权查看" in refusal.text and "ROLE_REQUIRED" in refusal.text, f"refusal shown: {refusal.text!r}")
        check(not driver.find_elements(By.ID, "review"), "another rep's review is on the page")
        shot("reviews-refused")
        driver.quit()
        driver = None
        code = server.stop()
        check(code == 0, f"salesopsd exited with {code}:\n{open(server.log_path).read()[-4000:]}")
        print(f"browser test passed in {time.time() - started:.1f}s", file=sys.stderr)
        return 0
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
