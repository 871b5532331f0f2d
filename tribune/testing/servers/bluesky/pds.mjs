// A real Bluesky PDS and an in-memory PLC directory for Tribune's connector tests.
//
//   node pds.mjs --modules DIR --plc-port N --pds-port N --data DIR
//
// DIR (--modules) is where .ci/servers/bluesky.sh installed @atproto/dev-env.
// Creates two accounts (alice.test, bob.test) and an app password for alice,
// prints ONE JSON line on stdout, then runs until SIGTERM/SIGINT or until its
// stdin closes (the test process is gone). Nothing else goes to stdout: the
// reader stops reading after that line.
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    modules: { type: 'string' },
    'plc-port': { type: 'string' },
    'pds-port': { type: 'string' },
    data: { type: 'string' },
  },
})

// The PDS and the PLC listen on a bare port (every interface); tests need them on
// loopback only, so a listen() given just a port is pinned to 127.0.0.1.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...listenArgs) {
  if (typeof listenArgs[0] === 'number' && typeof listenArgs[1] !== 'string') {
    listenArgs.splice(1, 0, '127.0.0.1')
  }
  return listen.apply(this, listenArgs)
}

// The script lives in the repository, the modules outside it: resolve from there.
const require = createRequire(join(args.modules, 'package.json'))
const { TestNetworkNoAppView } = await import(
  pathToFileURL(require.resolve('@atproto/dev-env')).href
)

const plcPort = Number(args['plc-port'])
const pdsPort = Number(args['pds-port'])
const dataDirectory = join(args.data, 'pds')
const blobstoreDiskLocation = join(args.data, 'blobs')
mkdirSync(dataDirectory, { recursive: true })
mkdirSync(blobstoreDiskLocation, { recursive: true })

const network = await TestNetworkNoAppView.create({
  plc: { port: plcPort },
  pds: {
    port: pdsPort,
    dataDirectory,
    blobstoreDiskLocation,
    didPlcUrl: `http://127.0.0.1:${plcPort}`,
  },
})

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// The test process holds our stdin open: when it dies, however abruptly, we stop too.
process.stdin.on('close', stop)
process.stdin.resume()

const seed = network.getSeedClient()
const url = `http://127.0.0.1:${pdsPort}`
const accounts = {}
for (const name of ['alice', 'bob']) {
  const password = `${name}-${Math.random().toString(36).slice(2)}-pass`
  const account = await seed.createAccount(name, {
    handle: `${name}.test`,
    email: `${name}@example.org`,
    password,
  })
  accounts[name] = { handle: account.handle, did: account.did, password }
}

async function xrpc(nsid, body, token) {
  const response = await fetch(`${url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })
  if (!response.ok) {
    throw new Error(`${nsid} answered ${response.status}: ${await response.text()}`)
  }
  return response.json()
}

const session = await xrpc('com.atproto.server.createSession', {
  identifier: accounts.alice.handle,
  password: accounts.alice.password,
})
const appPassword = await xrpc(
  'com.atproto.server.createAppPassword',
  { name: 'Tribune tests' },
  session.accessJwt,
)
accounts.alice.app_password = appPassword.password

process.stdout.write(
  JSON.stringify({ url, plc_url: `http://127.0.0.1:${plcPort}`, accounts }) + '\n',
)
