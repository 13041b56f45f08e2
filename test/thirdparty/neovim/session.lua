-- Drives temporal-handled through a full session with Neovim's own JSON-RPC client,
-- vim.lsp.rpc (its framing, parser, id allocation and dispatch), and writes a JSON
-- transcript to $TH_TRANSCRIPT. Run: nvim --headless -u NONE -c 'luafile session.lua'
--
-- Neovim 0.7 (Debian bookworm) has vim.lsp.rpc.start(cmd, args, dispatchers) only; the
-- socket transport needs vim.lsp.rpc.connect (0.8 TCP, 0.10 pipes). On 0.7 the socket run
-- hands rpc.start a vim.loop pipe connected to the daemon's socket in place of the child's
-- stdin/stdout (see start_on_socket); everything above the byte stream is Neovim's code.
local uv = vim.loop
local rpc = require('vim.lsp.rpc')
local env = function(k) return os.getenv(k) end
local T = { client = 'neovim', transport = env('TH_SOCKET') and 'socket' or 'stdio', steps = {}, progress = {}, notes = {} }
local v = vim.version()
T.clientVersion = string.format('%d.%d.%d', v.major, v.minor, v.patch)
T.api = { rpc_start = rpc.start ~= nil, rpc_connect = rpc.connect ~= nil }

-- Tap on the decoder vim.lsp.rpc uses, to see error responses that it mutes (-32800).
local wire = {}
local real_decode = vim.json.decode
vim.json.decode = function(body, opts)
  local d = real_decode(body, opts)
  if type(d) == 'table' and d.id ~= nil and d.error ~= nil then wire[tonumber(d.id)] = d.error end
  return d
end

local exited, closed = nil, false
local dispatchers = {
  notification = function(method, params)
    if method == '$/progress' then table.insert(T.progress, params) end
  end,
  on_exit = function(code, signal) exited = { code = code, signal = signal } end,
  on_error = function(kind, err) table.insert(T.notes, 'rpc error ' .. tostring(rpc.client_errors[kind]) .. ': ' .. vim.inspect(err)) end,
}

local function start_on_socket(path)
  local pipe = uv.new_pipe(false)
  local connected, cerr = false, nil
  pipe:connect(path, function(err) cerr = err; connected = true end)
  vim.wait(10000, function() return connected end, 5)
  assert(connected and not cerr, 'connect ' .. path .. ': ' .. tostring(cerr))
  local proxy = {
    write = function(_, data) return pipe:write(data) end,
    read_start = function(_, cb)
      return pipe:read_start(function(err, chunk)
        if not err and not chunk then closed = true end
        cb(err, chunk)
      end)
    end,
    close = function() if not pipe:is_closing() then pipe:close() end end,
    is_closing = function() return pipe:is_closing() end,
  }
  local dummy = { read_start = function() end, close = function() end }
  local real_new_pipe, real_spawn = uv.new_pipe, uv.spawn
  local n = 0
  uv.new_pipe = function()
    n = n + 1
    return n <= 2 and proxy or dummy
  end
  uv.spawn = function() return { is_closing = function() return closed end, close = function() end }, 0 end
  local ok, client = pcall(rpc.start, 'socket', {}, dispatchers)
  uv.new_pipe, uv.spawn = real_new_pipe, real_spawn
  assert(ok, client)
  return client
end

local client
local function ms_since(t0) return math.floor((uv.hrtime() - t0) / 1e6) end

local function call(name, method, params, timeout)
  local done, err, res = false, nil, nil
  local t0 = uv.hrtime()
  local ok, id = client.request(method, params, function(e, r) done = true; err = e; res = r end)
  assert(ok, 'request ' .. method .. ' not sent')
  vim.wait(timeout or 30000, function() return done or wire[id] ~= nil end, 5)
  local step = { ms = ms_since(t0), id = id }
  if err then
    step.error = { code = err.code, message = err.message, data = err.data }
  elseif done then
    step.result = res == nil and vim.NIL or res
  elseif wire[id] then
    step.error = wire[id]
    step.note = 'error response muted by vim.lsp.rpc (callback not called)'
  else
    step.error = { code = 'timeout', message = 'no answer within ' .. tostring(timeout or 30000) .. ' ms' }
  end
  T.steps[name] = step
  return res, err
end

local function session()
  local client_name = 'neovim'
  local sock = env('TH_SOCKET')
  if sock then
    client = start_on_socket(sock)
  else
    client = rpc.start(env('TH_NODE'), { env('TH_BIN'), '--stdio', '--address', env('TH_ADDRESS') }, dispatchers)
  end
  assert(client, 'rpc.start failed')
  call('initialize', 'initialize', { clientInfo = { name = client_name, version = T.clientVersion }, processId = vim.fn.getpid() })
  client.notify('initialized', vim.empty_dict())
  local tq, prefix = env('TH_TASK_QUEUE'), env('TH_WF_PREFIX')
  local info = call('start', 'workflow/start', { workflowType = 'signals', taskQueue = tq, workflowId = prefix .. '-signals' })
  local h = info.handle
  call('describe', 'handle/describe', { handle = h })
  call('query', 'handle/query', { handle = h, query = 'greet', args = { 'Grüße', client_name .. ' 🌍' } })
  -- Neovim 0.7 encodes an empty Lua table as [] (vim.empty_dict() is {}): what a plain {} does.
  call('statusEmptyTable', 'daemon/status', {})
  call('signal', 'handle/signal', { handle = h, signal = 'add', args = { 'x' } })
  call('signalFinish', 'handle/signal', { handle = h, signal = 'finish' })
  call('result', 'handle/result', { handle = h })

  local chain = call('startChain', 'workflow/start', { workflowType = 'chain', taskQueue = tq, workflowId = prefix .. '-chain', args = { 2 } })
  call('resultWithProgress', 'handle/result', { handle = chain.handle, workDoneToken = 'tp-progress' })

  local fv = call('startForever', 'workflow/start', { workflowType = 'forever', taskQueue = tq, workflowId = prefix .. '-forever' })
  -- A wait that is cancelled: $/cancelRequest as Neovim's client sends it (lsp.lua's cancel_request).
  local done, replied = false, false
  local t0 = uv.hrtime()
  local _, id = client.request('handle/result', { handle = fv.handle }, function() done = true end, function() replied = true end)
  vim.wait(500, function() return false end, 10)
  client.notify('$/cancelRequest', { id = id })
  vim.wait(10000, function() return wire[id] ~= nil or done end, 5)
  vim.wait(100, function() return false end, 10) -- let a (wrongly) delivered callback run
  T.steps.cancelledResult = { ms = ms_since(t0), id = id, error = wire[id], callbackCalled = done, notifyReplyCalled = replied }

  call('terminate', 'handle/terminate', { handle = fv.handle, reason = 'third-party test' })
  call('describeTerminated', 'handle/describe', { handle = fv.handle })
  call('release', 'handle/release', { handle = fv.handle })
  call('describeReleased', 'handle/describe', { handle = fv.handle })
  local unknown = call('getHandleUnknown', 'workflow/getHandle', { workflowId = prefix .. '-does-not-exist' })
  call('describeUnknown', 'handle/describe', { handle = unknown.handle })
  -- As lsp.lua's stop(): shutdown without params, then exit.
  call('shutdown', 'shutdown', nil)
  local t1 = uv.hrtime()
  client.notify('exit')
  if sock then
    vim.wait(10000, function() return closed end, 5)
    T.exit = { closed = closed, ms = ms_since(t1) }
  else
    vim.wait(15000, function() return exited ~= nil end, 5)
    T.exit = { code = exited and exited.code, signal = exited and exited.signal, ms = ms_since(t1) }
  end
end

local t_all = uv.hrtime()
local ok, err = pcall(session)
if not ok then T.fatal = tostring(err) end
T.totalMs = ms_since(t_all)
local f = assert(io.open(env('TH_TRANSCRIPT'), 'w'))
f:write(vim.json.encode(T))
f:close()
vim.cmd('qa!')
