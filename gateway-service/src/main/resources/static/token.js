// The bearer token of a page (the web page's, the operator dashboard's): kept in localStorage under
// the page's own key, its state shown in #token-status, and taken from the ?token= of the link the
// launcher prints, which is then removed from the address bar. Plain browser JavaScript.
'use strict';

const Tokens = {
  /** Shows the token's state ('set', 'missing', 'rejected') in #token-status. */
  status(kind, text) {
    const status = document.getElementById('token-status');
    status.dataset.state = kind;
    status.textContent = text;
  },

  /** Keeps {@code token} (or forgets it when empty) under {@code key}; returns it, or null. */
  remember(key, token) {
    if (token) {
      localStorage.setItem(key, token);
      Tokens.status('set', 'Token set');
    } else {
      localStorage.removeItem(key);
      Tokens.status('missing', 'No token');
    }
    document.getElementById('token-input').value = '';
    return token || null;
  },

  /** The URL's query parameters, the token taken out of the address bar (so it is not shared or bookmarked). */
  fromUrl() {
    const url = new URL(window.location.href);
    const params = new URLSearchParams(url.search);
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
    return params;
  },
};
