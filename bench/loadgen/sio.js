'use strict';
// A minimal Socket.IO v5 / Engine.IO v4 client over one raw WebSocket.
// Why not socket.io-client: it costs several times more CPU per packet, and the generator must never
// be the bottleneck. Only what the benchmarks need: connect with auth, emit with ack, events, ping/pong.

const WebSocket = require('ws');

class SioSocket {
  /**
   * @param {string} baseUrl  http://127.0.0.1:PORT
   * @param {string} ns       '/', '/seeker', ...
   * @param {object} auth     sent in the CONNECT packet
   * @param {{deflate?: boolean, timeoutMs?: number}} opts
   */
  constructor(baseUrl, ns, auth, opts = {}) {
    this.url = baseUrl.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
    this.ns = ns;
    this.prefix = ns === '/' ? '' : ns + ',';
    this.auth = auth;
    this.deflate = !!opts.deflate;
    this.timeoutMs = opts.timeoutMs || 10000;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextId = 1;
    this.connected = false;
    this.closed = false;
    this.onClose = null;
  }

  on(event, fn) {
    this.handlers.set(event, fn);
    return this;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('connect timeout'));
        this.close();
      }, this.timeoutMs);
      const ws = new WebSocket(this.url, { perMessageDeflate: this.deflate });
      this.ws = ws;
      ws.on('message', (raw, isBinary) => {
        if (isBinary) return;
        const s = raw.toString();
        const t = s.charCodeAt(0);
        if (t === 50) { // '2' ping -> pong
          ws.send('3');
        } else if (t === 48) { // '0' open
          ws.send('40' + this.prefix + JSON.stringify(this.auth || {}));
        } else if (t === 52) { // '4' message
          this._packet(s, resolve, reject, timer);
        } else if (t === 49) { // '1' close
          this.close();
        }
      });
      ws.on('error', (err) => {
        if (!this.connected) {
          clearTimeout(timer);
          reject(err);
        }
      });
      ws.on('close', () => {
        const wasConnected = this.connected;
        this.connected = false;
        this.closed = true;
        for (const [, a] of this.acks) a.reject(new Error('closed'));
        this.acks.clear();
        if (!wasConnected) {
          clearTimeout(timer);
          reject(new Error('closed before connect'));
        } else if (this.onClose) {
          this.onClose();
        }
      });
    });
  }

  _packet(s, resolve, reject, timer) {
    const type = s.charCodeAt(1) - 48;
    let i = 2;
    if (s.charCodeAt(i) === 47) { // '/' namespace
      const c = s.indexOf(',', i);
      i = c < 0 ? s.length : c + 1;
    }
    let id = -1;
    let j = i;
    while (j < s.length) {
      const ch = s.charCodeAt(j);
      if (ch < 48 || ch > 57) break;
      j++;
    }
    if (j > i) {
      id = Number(s.slice(i, j));
      i = j;
    }
    const data = i < s.length ? JSON.parse(s.slice(i)) : undefined;
    if (type === 2) { // EVENT
      const fn = this.handlers.get(data[0]);
      if (fn) fn(data[1]);
    } else if (type === 3) { // ACK
      const a = this.acks.get(id);
      if (a) {
        this.acks.delete(id);
        clearTimeout(a.timer);
        a.resolve(data[0]);
      }
    } else if (type === 0) { // CONNECT ok
      this.connected = true;
      clearTimeout(timer);
      resolve(this);
    } else if (type === 4) { // CONNECT_ERROR
      clearTimeout(timer);
      reject(new Error('connect_error: ' + (data && data.message)));
      this.close();
    } else if (type === 1) { // DISCONNECT
      this.close();
    }
  }

  /** Emit with an ack; resolves with the ack's first argument. */
  call(event, data, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new Error('not connected'));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error('ack timeout'));
      }, timeoutMs || this.timeoutMs);
      this.acks.set(id, { resolve, reject, timer });
      this.ws.send('42' + this.prefix + id + JSON.stringify([event, data]));
    });
  }

  close() {
    if (this.ws && !this.closed) {
      this.closed = true;
      try { this.ws.close(); } catch (e) { /* already gone */ }
    }
  }
}

module.exports = { SioSocket };
