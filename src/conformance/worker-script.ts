/**
 * The program each host test process runs: a small Python script, because a
 * Python process starts with one thread and forks for real (a Node process
 * has several threads, which `tasks`, `cgroup.threads` and `pids.current`
 * would count, and it reaps its children itself, so it could not leave a
 * zombie).
 *
 * argv: <Unix socket path> <uid or -1> <gid or -1>. The process drops to
 * uid/gid first, connects to the suite's socket, says hello with its pid and
 * then answers one JSON request per line:
 *   fork -> {pid} (the child connects on its own and says hello)
 *   thread -> {tid}; exit_thread {tid}; reap {pid}; alloc {bytes} (touched);
 *   exit {code} (no answer)
 *   read/write/mkdir/rmdir/readdir/stat/chown/chmod/rename {path,...}
 * Errors come back as {errno: <number>}. It exits when the socket closes, so
 * nothing outlives a crashed test run (except a task held frozen by v1).
 */
export const WORKER_SCRIPT = String.raw`
import errno, json, os, socket, sys, threading

ADDR = sys.argv[1]
UID, GID = int(sys.argv[2]), int(sys.argv[3])
if GID >= 0:
    os.setgroups([])
    os.setgid(GID)
if UID >= 0:
    os.setuid(UID)

threads = {}
held = []

def send(s, obj):
    s.sendall((json.dumps(obj) + '\n').encode())

def hello():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(ADDR)
    send(s, {'hello': os.getpid()})
    return s

def start_thread():
    ready, stop, box = threading.Event(), threading.Event(), []
    def body():
        box.append(threading.get_native_id())
        ready.set()
        stop.wait()
    t = threading.Thread(target=body, daemon=True)
    try:
        t.start()
    except RuntimeError:
        return {'errno': errno.EAGAIN}
    ready.wait()
    threads[box[0]] = (t, stop)
    return {'tid': box[0]}

def fs_op(req):
    op, path = req['op'], req['path']
    try:
        if op == 'read':
            with open(path, 'rb') as f:
                return {'data': f.read().decode()}
        if op == 'write':
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, req['data'].encode())
            finally:
                os.close(fd)
        elif op == 'mkdir':
            os.mkdir(path, req['mode'])
        elif op == 'rmdir':
            os.rmdir(path)
        elif op == 'readdir':
            with os.scandir(path) as it:
                return {'entries': [[e.name, e.is_dir(follow_symlinks=False)] for e in it]}
        elif op == 'stat':
            st = os.stat(path)
            return {'mode': st.st_mode, 'uid': st.st_uid, 'gid': st.st_gid, 'ino': st.st_ino}
        elif op == 'chown':
            os.chown(path, req['uid'], req['gid'])
        elif op == 'chmod':
            os.chmod(path, req['mode'])
        elif op == 'rename':
            os.rename(path, req['to'])
        else:
            return {'errno': errno.EINVAL}
        return {}
    except OSError as e:
        return {'errno': e.errno}

def serve(s):
    buf = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            os._exit(0)
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            req = json.loads(line)
            op = req['op']
            if op == 'exit':
                os._exit(req.get('code', 0))
            if op == 'fork':
                try:
                    pid = os.fork()
                except OSError as e:
                    send(s, {'id': req['id'], 'errno': e.errno})
                    continue
                if pid == 0:
                    s.close()
                    threads.clear()
                    serve(hello())
                res = {'pid': pid}
            elif op == 'thread':
                res = start_thread()
            elif op == 'exit_thread':
                t, stop = threads.pop(req['tid'])
                stop.set()
                t.join()
                res = {}
            elif op == 'alloc':
                held.append(b'\x01' * req['bytes'])
                res = {}
            elif op == 'reap':
                os.waitpid(req['pid'], 0)
                res = {}
            else:
                res = fs_op(req)
            res['id'] = req['id']
            send(s, res)

serve(hello())
`;
