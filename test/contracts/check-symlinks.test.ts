import { describe, expect, it } from "vitest";
import {
  checkSymlinks,
  type SymbolicLink,
} from "../../src/contracts/check-symlinks.js";

function link(path: string, target: string): SymbolicLink {
  return { path, target };
}

function outside(path: string, through?: string): string {
  return `changes.json: the symbolic link '${path}' points outside the repository${through === undefined ? "" : ` through the symbolic link '${through}'`}`;
}

/** l0 → l1 → … → l{count}, the last to a file. */
function chain(count: number): SymbolicLink[] {
  return Array.from({ length: count + 1 }, (_, i) =>
    link(`l${i}`, i === count ? "file.md" : `l${i + 1}`),
  );
}

describe("checkSymlinks", () => {
  it.each<[string, SymbolicLink[]]>([
    ["no links", []],
    ["a link to a sibling file", [link("docs/readme", "README.md")]],
    ["a link up and down again", [link("a/b/c/l", "../../../a/x")]],
    ["a link to the folder above it", [link("a/b/up", "..")]],
    ["'.' and empty names", [link("a/l", "./b//c/")]],
    [
      "a link through another link in the bundle",
      [link("a/s", "../b"), link("a/t", "s/c")],
    ],
    [
      "a link through the same link twice",
      [link("a/b/up", ".."), link("t", "a/b/up/b/up/y")],
    ],
    ["the first link of the finding, alone", [link("x/y/z/s", "../../../m")]],
    ["a chain of 40 links", chain(40)],
  ])("accepts %s", (_, links) => {
    expect(checkSymlinks(links)).toEqual([]);
  });

  // Issue 11, item 5: each link looks inside on paper; on disk t is two
  // levels above the root (s is m, m/.. the root, and two more '..').
  it("refuses a link that leaves through another link of the bundle", () => {
    expect(
      checkSymlinks([
        link("x/y/z/s", "../../../m"),
        link("x/y/z/t", "s/../../.."),
      ]),
    ).toEqual([outside("x/y/z/t", "x/y/z/s")]);
  });

  it("follows a link named in another case, as macOS and Windows would", () => {
    expect(
      checkSymlinks([link("x/y/S", "../../m"), link("x/y/t", "s/../..")]),
    ).toEqual([outside("x/y/t", "x/y/S")]);
  });

  it("refuses a link through a link that itself points outside", () => {
    expect(
      checkSymlinks([link("a/out", "../.."), link("a/t", "out/etc")]),
    ).toEqual([outside("a/out"), outside("a/t", "a/out")]);
  });

  // A link already in the repository is not visible here: `s/..` is the
  // folder holding s only when s is not a link.
  it("refuses a '..' after a name, even when it stays inside on paper", () => {
    expect(checkSymlinks([link("x/y/t", "s/../../z")])).toEqual([
      "changes.json: the symbolic link 'x/y/t' has a '..' after a name in its target 's/../../z': the name may be a symbolic link, so where it leads cannot be checked (put every '..' first)",
    ]);
  });

  it.each<[string, SymbolicLink[], string[]]>([
    ["a link to itself", [link("a", "a")], ["a"]],
    ["two links to each other", [link("a", "b"), link("b", "a")], ["a", "b"]],
    ["a link into its own path", [link("d/l", "../d/l/x")], ["d/l"]],
    [
      "a link into a loop it is not part of",
      [link("c", "a/x"), link("a", "b"), link("b", "a")],
      ["c", "a", "b"],
    ],
  ])("refuses %s as a loop", (_, links, refused) => {
    expect(checkSymlinks(links)).toEqual(
      refused.map(
        (path) =>
          `changes.json: the symbolic link '${path}' leads into a loop of symbolic links`,
      ),
    );
  });

  it("refuses a chain of more than 40 links (Linux's ELOOP)", () => {
    expect(checkSymlinks(chain(41))).toEqual([
      "changes.json: the symbolic link 'l0' goes through more than 40 symbolic links",
    ]);
  });

  it.each<[string, string]>([
    ["empty", ""],
    ["absolute", "/etc/passwd"],
    ["a Windows drive", "C:/Windows/System32"],
    ["a Windows drive-relative path", "c:x"],
    ["a backslash", "..\\..\\etc"],
    ["a NUL", "a\0b"],
    ["'.. ' (Windows trims the space)", ".. /.. /x"],
    ["'...'", ".../x"],
    ["above the root", "../x"],
    ["the root itself", "."],
    ["into .git", ".git/hooks"],
    ["into .git in another case", "sub/.GIT/config"],
  ])("refuses a target: %s", (_, target) => {
    expect(checkSymlinks([link("l", target)])).toEqual([outside("l")]);
  });

  it("refuses a target over 4095 bytes (symlink(2) would)", () => {
    expect(checkSymlinks([link("l", "a/".repeat(2048))])).toEqual([
      "changes.json: the symbolic link 'l' has a target over 4095 bytes",
    ]);
    expect(checkSymlinks([link("l", `${"a/".repeat(2047)}a`)])).toEqual([]);
  });

  it("resolves many long links in linear time", () => {
    // 2,000 links of 750-byte targets, each to the next: all but the
    // last 41 go through more than 40 links.
    const deep = Array.from({ length: 150 }, () => "d").join("/");
    const links = Array.from({ length: 2000 }, (_, i) =>
      link(`${deep}/${i}`, `${"../".repeat(150)}${deep}/${i + 1}`),
    );
    const started = performance.now();
    expect(checkSymlinks(links)).toHaveLength(1959);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
