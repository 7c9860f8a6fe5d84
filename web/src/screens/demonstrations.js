// The clinic's own demonstration of an exercise (a video, or images, uploaded in the admin), shown by the
// player in place of the project's illustration, which stays the fallback: no demonstration, or a file that
// cannot be shown (offline before its first view). The list is kept on the phone for offline use; the service
// worker keeps each file after its first view, and the files no longer listed are dropped from its cache.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { kvGet, kvSet } from '../db.js';
import { t } from '../i18n.js';
import { MEDIA_CACHE, paths } from '../paths.js';
import { html } from '../ui.js';

const KEY = 'demonstrations';
let loading = null;

async function prune(rows) {
  if (!('caches' in window)) return;
  const listed = new Set(rows.map((row) => new URL(row.url, location.href).href));
  const cache = await caches.open(MEDIA_CACHE);
  for (const request of await cache.keys()) if (!listed.has(request.url)) await cache.delete(request);
}

/** Every active demonstration: from the server once per page load, else the copy kept on the phone. */
export function demonstrations() {
  loading ||= api(paths.demonstrations()).then(
    (rows) => {
      kvSet(KEY, rows);
      prune(rows).catch(() => {});
      return rows;
    },
    async () => {
      loading = null; // offline: ask again next time
      return (await kvGet(KEY)) || [];
    },
  );
  return loading;
}

const stillMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

export function Demonstration({ exercise, fallback }) {
  const [rows, setRows] = useState([]);
  const [broken, setBroken] = useState(false);
  useEffect(() => {
    let live = true;
    demonstrations().then((all) => live && setRows(all.filter((row) => row.exercise === exercise)));
    return () => {
      live = false;
    };
  }, [exercise]);
  const video = rows.find((row) => row.kind === 'video');
  const images = rows.filter((row) => row.kind === 'image');
  if (broken || (!video && images.length === 0)) return fallback;
  if (video) {
    return html`<figure class="demo">
      <video src=${video.url} controls muted loop playsinline preload="auto" autoplay=${!stillMotion()}
        aria-label=${video.caption} data-testid="demonstration-video" onError=${() => setBroken(true)}></video>
      <figcaption class="muted">${t('clinic_demonstration')}: ${video.caption}</figcaption>
    </figure>`;
  }
  return html`<figure class="demo">
    <ul class="demo-images" tabindex="0" aria-label=${t('clinic_demonstration')}>${images.map((image) => html`<li>
      <img src=${image.url} alt=${image.caption} data-testid="demonstration-image" onError=${() => setBroken(true)} />
    </li>`)}</ul>
    <figcaption class="muted">${t('clinic_demonstration')}</figcaption>
  </figure>`;
}
