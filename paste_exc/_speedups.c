/*
 * paste_exc._speedups: the middleware's happy path, in C.
 *
 * Part of the respond stage. Optional: setup.py builds it when a C compiler
 * is there, and paste_exc/_wsgiiter.py falls back to the same logic in pure
 * Python when it is not (or when PASTE_EXC_PURE_PYTHON is set). Everything
 * but the path of a healthy request stays in Python: an error, an unusual
 * call or an iterable that needs guarding is handed to a Python method.
 *
 * CallPath    base type of ErrorMiddleware: its tp_call is the WSGI entry
 *             (the pure-Python version is CallPath._call_python, which gets
 *             every call when python_call is set: debug on).
 * recorder()  the start_response the application sees: records the headers
 *             into the request's state list [server start_response, headers]
 *             and forwards the call unchanged.
 * guard()     what CatchingIter.__iter__ returns: passes the application's
 *             chunks on and tracks whether the body was sent; at the end, or
 *             when the application raises, it asks the CatchingIter (in
 *             Python) for the chunks that follow (nothing, or the error).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <structmember.h>

/* Interned names, made once at import. */
static PyObject *str_throw_errors;      /* "paste.throw_errors" */
static PyObject *str_reporting_key;     /* "paste_exc.reporting" */
static PyObject *str_headers;           /* "headers" */
static PyObject *str_call_python;       /* "_call_python" */
static PyObject *str_raised_in_call;    /* "_raised_in_call" */
static PyObject *str_make_catching_iter; /* "make_catching_iter" */
static PyObject *str_raised_in_iteration; /* "_raised_in_iteration" */
static PyObject *str_finish;            /* "_finish" */

/* The exception being raised (a new reference, its traceback attached), and
   the error indicator cleared: what an ``except`` block would get. */
static PyObject *
take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *exc, *tb;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (tb != NULL && exc != NULL) {
        PyException_SetTraceback(exc, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return exc;
#endif
}

/* ------------------------------------------------------------------------ */
/* StartRecorder                                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *state; /* list: [server start_response, headers or None] */
    vectorcallfunc vectorcall;
} StartRecorder;

static PyTypeObject StartRecorderType;

/* The headers of a start_response call, or NULL when the call has none. */
static PyObject *
given_headers(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs >= 2) {
        return args[1];
    }
    if (kwnames != NULL) {
        Py_ssize_t count = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t i = 0; i < count; i++) {
            if (PyUnicode_Compare(PyTuple_GET_ITEM(kwnames, i), str_headers) == 0) {
                return args[nargs + i];
            }
        }
        PyErr_Clear(); /* a comparison never fails for str keys; be safe */
    }
    return NULL;
}

static PyObject *
recorder_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    StartRecorder *self = (StartRecorder *)op;
    PyObject *headers = given_headers(args, PyVectorcall_NARGS(nargsf), kwnames);
    if (headers != NULL) {
        Py_INCREF(headers);
        if (PyList_SetItem(self->state, 1, headers) < 0) { /* steals headers */
            return NULL;
        }
    }
    PyObject *start_response = PyList_GetItem(self->state, 0);
    if (start_response == NULL) {
        return NULL;
    }
    Py_INCREF(start_response);
    PyObject *result = PyObject_Vectorcall(start_response, args, nargsf, kwnames);
    Py_DECREF(start_response);
    return result;
}

static StartRecorder *
recorder_new(PyObject *state)
{
    StartRecorder *self = PyObject_GC_New(StartRecorder, &StartRecorderType);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(state);
    self->state = state;
    self->vectorcall = recorder_vectorcall;
    PyObject_GC_Track(self);
    return self;
}

static int
recorder_traverse(StartRecorder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->state);
    return 0;
}

static int
recorder_clear(StartRecorder *self)
{
    Py_CLEAR(self->state);
    return 0;
}

static void
recorder_dealloc(StartRecorder *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->state);
    PyObject_GC_Del(self);
}

static PyObject *
recorder_get_state(StartRecorder *self, void *closure)
{
    Py_INCREF(self->state);
    return self->state;
}

static PyGetSetDef recorder_getset[] = {
    {"state", (getter)recorder_get_state, NULL,
     "The request's list: [server start_response, headers or None].", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject StartRecorderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "paste_exc._speedups.StartRecorder",
    .tp_doc = "The start_response an application sees: records the headers, then forwards.",
    .tp_basicsize = sizeof(StartRecorder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(StartRecorder, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)recorder_traverse,
    .tp_clear = (inquiry)recorder_clear,
    .tp_dealloc = (destructor)recorder_dealloc,
    .tp_getset = recorder_getset,
};

static PyObject *
make_recorder(PyObject *module, PyObject *state)
{
    if (!PyList_CheckExact(state) || PyList_GET_SIZE(state) != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "recorder() takes a list [start_response, headers or None]");
        return NULL;
    }
    return (PyObject *)recorder_new(state);
}

/* ------------------------------------------------------------------------ */
/* CallPath                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *application;
    PyObject *reporting_handle;
    char python_call; /* hand every call to _call_python (debug on: the unlock check) */
} CallPath;

/* Hand the whole call to the pure-Python path (self._call_python). */
static PyObject *
call_python(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *method = PyObject_GetAttr(self, str_call_python);
    if (method == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_Call(method, args, kwargs);
    Py_DECREF(method);
    return result;
}

/* The application call raised (the error is set): answer it in Python. */
static PyObject *
raised_in_call(PyObject *self, PyObject *environ, PyObject *state)
{
    if (!PyErr_ExceptionMatches(PyExc_Exception)) {
        return NULL; /* KeyboardInterrupt, SystemExit, GeneratorExit: never caught */
    }
    PyObject *exc = take_exception();
    if (exc == NULL) {
        return NULL;
    }
    PyObject *result =
        PyObject_CallMethodObjArgs(self, str_raised_in_call, exc, environ, state, NULL);
    Py_DECREF(exc);
    return result;
}

static PyObject *
callpath_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    CallPath *path = (CallPath *)self;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) || PyTuple_GET_SIZE(args) != 2) {
        return call_python(self, args, kwargs);
    }
    PyObject *environ = PyTuple_GET_ITEM(args, 0);
    PyObject *start_response = PyTuple_GET_ITEM(args, 1);
    if (path->python_call || !PyDict_CheckExact(environ) || path->application == NULL ||
        path->reporting_handle == NULL) {
        return call_python(self, args, kwargs);
    }

    PyObject *result = NULL;
    PyObject *state = NULL;
    PyObject *application = path->application;
    Py_INCREF(application); /* the call may replace self.application */

    PyObject *throw_errors = PyDict_GetItemWithError(environ, str_throw_errors);
    if (throw_errors != NULL) {
        Py_INCREF(throw_errors);
        int truth = PyObject_IsTrue(throw_errors);
        Py_DECREF(throw_errors);
        if (truth < 0) {
            goto done;
        }
        if (truth) {
            PyObject *call_args[2] = {environ, start_response};
            result = PyObject_Vectorcall(application, call_args, 2, NULL);
            goto done;
        }
    }
    else if (PyErr_Occurred()) {
        goto done;
    }
    if (PyDict_SetItem(environ, str_throw_errors, Py_True) < 0 ||
        PyDict_SetItem(environ, str_reporting_key, path->reporting_handle) < 0) {
        goto done;
    }

    state = PyList_New(2);
    if (state == NULL) {
        goto done;
    }
    Py_INCREF(start_response);
    PyList_SET_ITEM(state, 0, start_response);
    Py_INCREF(Py_None);
    PyList_SET_ITEM(state, 1, Py_None);
    StartRecorder *recorder = recorder_new(state);
    if (recorder == NULL) {
        goto done;
    }

    PyObject *call_args[2] = {environ, (PyObject *)recorder};
    PyObject *app_iter = PyObject_Vectorcall(application, call_args, 2, NULL);
    Py_DECREF(recorder);
    if (app_iter == NULL) {
        result = raised_in_call(self, environ, state);
        goto done;
    }
    if (PyList_CheckExact(app_iter) || PyTuple_CheckExact(app_iter)) {
        result = app_iter; /* cannot raise while iterating: passed through */
        goto done;
    }
    result = PyObject_CallMethodObjArgs(self, str_make_catching_iter, app_iter, environ, state,
                                        NULL);
    Py_DECREF(app_iter);

done:
    Py_XDECREF(state);
    Py_DECREF(application);
    return result;
}

static int
callpath_traverse(CallPath *self, visitproc visit, void *arg)
{
    Py_VISIT(self->application);
    Py_VISIT(self->reporting_handle);
    return 0;
}

static int
callpath_clear(CallPath *self)
{
    Py_CLEAR(self->application);
    Py_CLEAR(self->reporting_handle);
    return 0;
}

static void
callpath_dealloc(CallPath *self)
{
    PyObject_GC_UnTrack(self);
    callpath_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef callpath_members[] = {
    {"application", T_OBJECT_EX, offsetof(CallPath, application), 0,
     "The wrapped WSGI application."},
    {"reporting_handle", T_OBJECT_EX, offsetof(CallPath, reporting_handle), 0,
     "The opaque ReportingHandle put in the environ for the application."},
    {"python_call", T_BOOL, offsetof(CallPath, python_call), 0,
     "Hand every call to _call_python (set with debug on, where the unlock check runs)."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject CallPathType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "paste_exc._speedups.CallPath",
    .tp_doc = "Base of ErrorMiddleware: the WSGI call of a healthy request, in C.",
    .tp_basicsize = sizeof(CallPath),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_call = callpath_call,
    .tp_traverse = (traverseproc)callpath_traverse,
    .tp_clear = (inquiry)callpath_clear,
    .tp_dealloc = (destructor)callpath_dealloc,
    .tp_members = callpath_members,
};

/* ------------------------------------------------------------------------ */
/* IterGuard                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *owner;    /* the CatchingIter (answers errors, closes the iterable) */
    PyObject *iterator; /* the application's iterator; NULL once it ended */
    PyObject *tail;     /* iterator over the chunks the owner gave at the end, or NULL */
    PyObject *last;     /* the last chunk when not bytes: its truth is read later */
    int last_nonempty;  /* the last chunk was non-empty bytes */
    int sent;           /* the server asked for more after a non-empty chunk */
} IterGuard;

static PyTypeObject IterGuardType;

/* Whether the server has now written the last chunk given (it asks for the
   next one): -1 with an error set when the chunk's truth raised. */
static int
guard_note_sent(IterGuard *self)
{
    if (self->last_nonempty) {
        self->sent = 1;
        self->last_nonempty = 0;
    }
    else if (self->last != NULL) {
        PyObject *last = self->last;
        self->last = NULL;
        int truth = PyObject_IsTrue(last);
        Py_DECREF(last);
        if (truth < 0) {
            return -1;
        }
        self->sent = truth;
    }
    return 0;
}

/* The application's iterator ended (an error set, or exhausted): ask the
   owner what follows and start giving it. */
static PyObject *
guard_ended(IterGuard *self)
{
    PyObject *follow;
    Py_CLEAR(self->iterator);
    PyObject *sent = self->sent ? Py_True : Py_False;
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            return NULL; /* KeyboardInterrupt, SystemExit, GeneratorExit: never caught */
        }
        PyObject *exc = take_exception();
        if (exc == NULL) {
            return NULL;
        }
        follow = PyObject_CallMethodObjArgs(self->owner, str_raised_in_iteration, exc, sent, NULL);
        Py_DECREF(exc);
    }
    else {
        follow = PyObject_CallMethodObjArgs(self->owner, str_finish, sent, NULL);
    }
    if (follow == NULL) {
        return NULL;
    }
    self->tail = PyObject_GetIter(follow);
    Py_DECREF(follow);
    if (self->tail == NULL) {
        return NULL;
    }
    PyObject *item = PyIter_Next(self->tail);
    if (item == NULL) {
        Py_CLEAR(self->tail);
    }
    return item;
}

static PyObject *
guard_iternext(IterGuard *self)
{
    if (self->tail != NULL) {
        PyObject *item = PyIter_Next(self->tail);
        if (item == NULL) {
            Py_CLEAR(self->tail);
        }
        return item;
    }
    if (self->iterator == NULL) {
        return NULL; /* ended */
    }
    if (!self->sent && guard_note_sent(self) < 0) {
        return guard_ended(self);
    }
    PyObject *item = PyIter_Next(self->iterator);
    if (item == NULL) {
        return guard_ended(self);
    }
    if (!self->sent) {
        if (PyBytes_CheckExact(item)) {
            self->last_nonempty = PyBytes_GET_SIZE(item) > 0;
        }
        else {
            Py_INCREF(item);
            self->last = item;
        }
    }
    return item;
}

static int
guard_traverse(IterGuard *self, visitproc visit, void *arg)
{
    Py_VISIT(self->owner);
    Py_VISIT(self->iterator);
    Py_VISIT(self->tail);
    Py_VISIT(self->last);
    return 0;
}

static int
guard_clear(IterGuard *self)
{
    Py_CLEAR(self->owner);
    Py_CLEAR(self->iterator);
    Py_CLEAR(self->tail);
    Py_CLEAR(self->last);
    return 0;
}

static void
guard_dealloc(IterGuard *self)
{
    PyObject_GC_UnTrack(self);
    guard_clear(self);
    PyObject_GC_Del(self);
}

static PyTypeObject IterGuardType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "paste_exc._speedups.IterGuard",
    .tp_doc = "Iterates an application's body for a CatchingIter; errors go back to it.",
    .tp_basicsize = sizeof(IterGuard),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)guard_iternext,
    .tp_traverse = (traverseproc)guard_traverse,
    .tp_clear = (inquiry)guard_clear,
    .tp_dealloc = (destructor)guard_dealloc,
};

static PyObject *
make_guard(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "guard() takes (owner, iterator)");
        return NULL;
    }
    if (!PyIter_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "guard() needs an iterator");
        return NULL;
    }
    IterGuard *self = PyObject_GC_New(IterGuard, &IterGuardType);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(args[0]);
    self->owner = args[0];
    Py_INCREF(args[1]);
    self->iterator = args[1];
    self->tail = NULL;
    self->last = NULL;
    self->last_nonempty = 0;
    self->sent = 0;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* ------------------------------------------------------------------------ */
/* Module                                                                    */
/* ------------------------------------------------------------------------ */

static PyMethodDef module_methods[] = {
    {"recorder", make_recorder, METH_O,
     "recorder(state)\n--\n\nA start_response recording its headers into state[1] and "
     "forwarding to state[0]."},
    {"guard", (PyCFunction)(void (*)(void))make_guard, METH_FASTCALL,
     "guard(owner, iterator)\n--\n\nIterate *iterator* for the CatchingIter *owner*: it is "
     "asked for what follows at the end (owner._finish(sent)) or after an error "
     "(owner._raised_in_iteration(exc, sent))."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "paste_exc._speedups",
    .m_doc = "The middleware's happy path in C (optional; pure Python otherwise).",
    .m_size = -1,
    .m_methods = module_methods,
};

static int
intern_names(void)
{
    str_throw_errors = PyUnicode_InternFromString("paste.throw_errors");
    str_reporting_key = PyUnicode_InternFromString("paste_exc.reporting");
    str_headers = PyUnicode_InternFromString("headers");
    str_call_python = PyUnicode_InternFromString("_call_python");
    str_raised_in_call = PyUnicode_InternFromString("_raised_in_call");
    str_make_catching_iter = PyUnicode_InternFromString("make_catching_iter");
    str_raised_in_iteration = PyUnicode_InternFromString("_raised_in_iteration");
    str_finish = PyUnicode_InternFromString("_finish");
    return (str_throw_errors && str_reporting_key && str_headers && str_call_python &&
            str_raised_in_call && str_make_catching_iter && str_raised_in_iteration &&
            str_finish)
               ? 0
               : -1;
}

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (intern_names() < 0 || PyType_Ready(&StartRecorderType) < 0 ||
        PyType_Ready(&CallPathType) < 0 || PyType_Ready(&IterGuardType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
    if (PyModule_AddObjectRef(module, "CallPath", (PyObject *)&CallPathType) < 0 ||
        PyModule_AddObjectRef(module, "StartRecorder", (PyObject *)&StartRecorderType) < 0 ||
        PyModule_AddObjectRef(module, "IterGuard", (PyObject *)&IterGuardType) < 0 ||
        PyModule_AddObjectRef(module, "THROW_ERRORS_KEY", str_throw_errors) < 0 ||
        PyModule_AddObjectRef(module, "REPORTING_KEY", str_reporting_key) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
