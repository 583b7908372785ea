// The search page of salon's default theme: queries the Pagefind index written into
// /pagefind/ after the build. No network beyond the site itself, no third-party code.
// Results are built with DOM calls; of an excerpt's markup only <mark> is kept.

const form = document.querySelector(".search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");

const say = (text) => {
  status.textContent = text;
};

const UNAVAILABLE =
  "Search is not available on this copy of the site: its index was not built " +
  "(or the page was opened from a file rather than a web server). The archive lists everything.";

const SHOWN = 50; // results listed at most

let pagefind = null;

async function load() {
  if (pagefind) return pagefind;
  const found = await import(form.dataset.pagefind);
  await found.options({ baseUrl: form.dataset.base, excerptLength: 24 });
  pagefind = found;
  return found;
}

// An excerpt is text with <mark> around the words found: copy exactly that, nothing else.
function excerpt(html) {
  const holder = document.createElement("template");
  holder.innerHTML = html; // a template's content is inert: nothing in it runs or loads
  const p = document.createElement("p");
  p.className = "entry-summary search-excerpt";
  for (const node of holder.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function item(title, url, text) {
  const li = document.createElement("li");
  li.className = "entry search-result";
  const h = document.createElement("h2");
  h.className = "entry-title";
  const a = document.createElement("a");
  a.href = url;
  a.textContent = title || url;
  h.append(a);
  li.append(h, excerpt(text));
  return li;
}

async function run(query, source) {
  list.replaceChildren();
  if (!query.trim()) {
    say("");
    return;
  }
  say("Searching…");
  let found;
  try {
    found = await load();
  } catch {
    say(UNAVAILABLE);
    return;
  }
  const search = await found.search(query, { filters: { source: source } });
  const items = [];
  for (const result of search.results.slice(0, SHOWN)) {
    const data = await result.data();
    if (source === "friends") {
      // a page of the reading river: one result per entry (a heading with an id)
      for (const sub of data.sub_results.filter((s) => s.url.includes("#"))) {
        items.push(item(sub.title, sub.url, sub.excerpt));
      }
    } else {
      items.push(item(data.meta.title, data.url, data.excerpt));
    }
  }
  list.replaceChildren(...items.slice(0, SHOWN));
  const where = source === "friends" ? "in friends’ writing" : "in notes and shares";
  const count = items.length === 1 ? "1 result" : `${items.length || "No"} results`;
  const shown = items.length > SHOWN ? ` The first ${SHOWN} are shown: add a word to narrow it.` : "";
  say(`${count} for “${query}” ${where}.${shown}`);
}

function current() {
  return [form.elements.q.value, form.elements.in.value];
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const [query, source] = current();
  const params = new URLSearchParams({ q: query, in: source });
  history.replaceState(null, "", `?${params}`);
  run(query, source);
});

for (const radio of form.elements.in) {
  radio.addEventListener("change", () => {
    if (form.elements.q.value.trim()) form.requestSubmit();
  });
}

const params = new URLSearchParams(location.search);
if (params.get("in") === "friends") form.elements.in.value = "friends";
if (params.get("q")) {
  form.elements.q.value = params.get("q");
  run(...current());
} else {
  load().then(
    () => say(""),
    () => say(UNAVAILABLE),
  );
}
