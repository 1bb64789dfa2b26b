/*
 * _rete: the C half of the `rete` Python module. It reads event files with
 * rete's own reader (the event model of `rete print`: every layout rete
 * reads, rotated sets, sorted files) and hands Python one object per event
 * holding the event in rete's JSON layout; sections become Python values
 * only when asked for, so a field added to a section's description shows in
 * Python with no Python-side code. rete/__init__.py builds Retis's API on it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "events/event.h"
#include "events/json.h"
#include "events/reader.h"
#include "events/schema.h"
#include "events/text.h"
#include "lib/strbuf.h"

static PyObject *read_error;	/* _rete.ReadError (a ValueError) */

/* ---- JSON to Python ---- */

static PyObject *to_py(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		Py_RETURN_NONE;
	case json_type_boolean:
		return PyBool_FromLong(json_object_get_boolean(o));
	case json_type_double:
		return PyFloat_FromDouble(json_object_get_double(o));
	case json_type_int: {
		int64_t v = json_object_get_int64(o);

		/* json-c keeps integers above INT64_MAX as unsigned. */
		if (v == INT64_MAX)
			return PyLong_FromUnsignedLongLong(json_object_get_uint64(o));
		return PyLong_FromLongLong(v);
	}
	case json_type_string:
		return PyUnicode_FromStringAndSize(json_object_get_string(o),
						   json_object_get_string_len(o));
	case json_type_array: {
		size_t n = json_object_array_length(o);
		PyObject *l = PyList_New((Py_ssize_t)n);

		for (size_t i = 0; l && i < n; i++) {
			PyObject *v = to_py(json_object_array_get_idx(o, i));

			if (!v) {
				Py_DECREF(l);
				return NULL;
			}
			PyList_SET_ITEM(l, (Py_ssize_t)i, v);
		}
		return l;
	}
	case json_type_object: {
		PyObject *d = PyDict_New();

		if (!d)
			return NULL;
		json_object_object_foreach(o, key, val) {
			PyObject *v = to_py(val);

			if (!v || PyDict_SetItemString(d, key, v)) {
				Py_XDECREF(v);
				Py_DECREF(d);
				return NULL;
			}
			Py_DECREF(v);
		}
		return d;
	}
	}
	Py_RETURN_NONE;
}

/* ---- Event ---- */

typedef struct {
	PyObject_HEAD
	char *json;		/* the event in rete's JSON layout (one line) */
	size_t len;
	struct json_object *tree;	/* parsed on first use */
	PyObject *file;		/* str: file and line it came from */
	Py_ssize_t line;
	Py_ssize_t series_idx, series_n;	/* -1 outside a sorted file */
} EventObject;

static PyTypeObject EventType;

static void event_dealloc(EventObject *e)
{
	free(e->json);
	if (e->tree)
		json_object_put(e->tree);
	Py_XDECREF(e->file);
	Py_TYPE(e)->tp_free((PyObject *)e);
}

static int event_tree(EventObject *e)
{
	if (e->tree)
		return 0;
	e->tree = json_tokener_parse(e->json);
	if (!e->tree || !json_object_is_type(e->tree, json_type_object)) {
		PyErr_SetString(PyExc_RuntimeError, "internal error: an event rete wrote does not "
				"parse");
		return -1;
	}
	return 0;
}

/* _section(name): the section as plain Python values, or None when absent. */
static PyObject *event_section(EventObject *e, PyObject *arg)
{
	struct json_object *v;
	const char *name = PyUnicode_AsUTF8(arg);

	if (!name || event_tree(e))
		return NULL;
	if (!json_object_object_get_ex(e->tree, name, &v))
		Py_RETURN_NONE;
	return to_py(v);
}

/* _names(): the names of its sections, in file order. */
static PyObject *event_names(EventObject *e, PyObject *unused)
{
	PyObject *l;

	if (event_tree(e))
		return NULL;
	l = PyList_New(0);
	json_object_object_foreach(e->tree, key, val) {
		PyObject *s = PyUnicode_FromString(key);

		(void)val;
		if (!s || PyList_Append(l, s)) {
			Py_XDECREF(s);
			Py_DECREF(l);
			return NULL;
		}
		Py_DECREF(s);
	}
	return l;
}

static PyObject *event_dict(EventObject *e, PyObject *unused)
{
	if (event_tree(e))
		return NULL;
	return to_py(e->tree);
}

static PyObject *event_json(EventObject *e, PyObject *unused)
{
	return PyUnicode_FromStringAndSize(e->json, (Py_ssize_t)e->len);
}

/* _text(single_line=False, link_layer=False): as `rete print` shows it. */
static PyObject *event_text(EventObject *e, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "single_line", "link_layer", NULL };
	struct rete_text_opts opts = { 0 };
	struct rete_strbuf sb = RETE_STRBUF_INIT;
	struct rete_event ev;
	char err[512];
	int single = 0, ll = 0, rc;
	PyObject *s;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pp", kwlist, &single, &ll))
		return NULL;
	opts.single_line = single;
	opts.link_layer = ll;
	memset(&ev, 0, sizeof(ev));
	rc = rete_json_read_event(&ev, e->json, e->len, err, sizeof(err));
	if (!rc)
		rc = rete_text_event(&ev, &opts, &sb);
	rete_event_free(&ev);
	if (rc || sb.err) {
		rete_strbuf_free(&sb);
		PyErr_Format(PyExc_RuntimeError, "cannot format the event: %s",
			     rc == -EINVAL ? err : strerror(rc ? -rc : -sb.err));
		return NULL;
	}
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.len--;
	s = PyUnicode_DecodeUTF8(sb.buf ? sb.buf : "", (Py_ssize_t)sb.len, "replace");
	rete_strbuf_free(&sb);
	return s;
}

static PyObject *event_origin(EventObject *e, PyObject *unused)
{
	return Py_BuildValue("(On)", e->file ? e->file : Py_None, e->line);
}

static PyObject *event_series_pos(EventObject *e, PyObject *unused)
{
	if (e->series_idx < 0)
		Py_RETURN_NONE;
	return Py_BuildValue("(nn)", e->series_idx, e->series_n);
}

static PyMethodDef event_methods[] = {
	{ "_section", (PyCFunction)event_section, METH_O, "A section as Python values, or None." },
	{ "_names", (PyCFunction)event_names, METH_NOARGS, "Section names, in file order." },
	{ "_dict", (PyCFunction)event_dict, METH_NOARGS, "The whole event as Python values." },
	{ "_json", (PyCFunction)event_json, METH_NOARGS, "The event as one JSON line." },
	{ "_text", (PyCFunction)(void (*)(void))event_text, METH_VARARGS | METH_KEYWORDS,
	  "The event as `rete print` shows it." },
	{ "_origin", (PyCFunction)event_origin, METH_NOARGS, "(file, line) it was read from." },
	{ "_series_pos", (PyCFunction)event_series_pos, METH_NOARGS,
	  "(index, count) in its series, or None outside a sorted file." },
	{ NULL },
};

static PyTypeObject EventType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "rete._rete.RawEvent",
	.tp_basicsize = sizeof(EventObject),
	.tp_dealloc = (destructor)event_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "One event read by rete's reader (see rete.Event).",
	.tp_methods = event_methods,
};

/* ---- Reader ---- */

typedef struct {
	PyObject_HEAD
	struct rete_reader *r;
	struct rete_event ev;
	struct rete_strbuf sb;
	EventObject *peeked;	/* read ahead by the constructor */
	PyObject *etype, *evalue, *etb;	/* or the error reading it, raised by the first next */
	bool sorted;
	bool done;
} ReaderObject;

static void reader_dealloc(ReaderObject *r)
{
	rete_reader_free(r->r);
	rete_event_free(&r->ev);
	rete_strbuf_free(&r->sb);
	Py_XDECREF(r->peeked);
	Py_XDECREF(r->etype);
	Py_XDECREF(r->evalue);
	Py_XDECREF(r->etb);
	Py_TYPE(r)->tp_free((PyObject *)r);
}

/* The next event, NULL with StopIteration unset at the end, NULL with an exception on error. */
static EventObject *reader_read(ReaderObject *r)
{
	EventObject *e;
	size_t idx, n;
	char err[1024];
	int rc;

	if (r->done)
		return NULL;
	/* The GIL stays held: it is what keeps two threads sharing this
	 * reader from running its state at once (parsing is CPU work anyway). */
	rc = rete_reader_next(r->r, &r->ev, err, sizeof(err));
	if (rc == 0) {
		r->done = true;
		return NULL;
	}
	if (rc < 0) {
		/* A malformed line: say which; the next call goes on after it. */
		PyErr_SetString(rc == -EINVAL ? read_error : PyExc_OSError, err);
		if (rc != -EINVAL)
			r->done = true;
		return NULL;
	}
	r->sb.len = 0;
	rc = rete_json_write_event(&r->ev, &r->sb);
	if (rc || r->sb.err) {
		PyErr_Format(PyExc_RuntimeError, "cannot write the event of %s:%zu: %s",
			     rete_reader_file(r->r), rete_reader_line(r->r), strerror(-(rc ? rc : r->sb.err)));
		return NULL;
	}
	e = PyObject_New(EventObject, &EventType);
	if (!e)
		return NULL;
	e->tree = NULL;
	e->len = r->sb.len;
	while (e->len && r->sb.buf[e->len - 1] == '\n')
		e->len--;
	e->json = malloc(e->len + 1);
	e->file = PyUnicode_DecodeFSDefault(rete_reader_file(r->r));
	e->line = (Py_ssize_t)rete_reader_line(r->r);
	if (!e->json || !e->file) {
		Py_DECREF(e);
		return (EventObject *)PyErr_NoMemory();
	}
	memcpy(e->json, r->sb.buf, e->len);
	e->json[e->len] = '\0';
	e->series_idx = e->series_n = -1;
	if (rete_reader_series_pos(r->r, &idx, &n)) {
		e->series_idx = (Py_ssize_t)idx;
		e->series_n = (Py_ssize_t)n;
	}
	return e;
}

static int reader_init(ReaderObject *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", NULL };
	PyObject *path = NULL, *bytes = NULL;
	const char *spec;
	char err[1024];
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O", kwlist, &path))
		return -1;
	if (!PyUnicode_FSConverter(path, &bytes))
		return -1;
	spec = PyBytes_AS_STRING(bytes);
	rc = rete_reader_open(&spec, 1, &r->r, err, sizeof(err));
	Py_DECREF(bytes);
	if (rc) {
		PyErr_SetString(rc == -EINVAL ? PyExc_ValueError : PyExc_OSError, err);
		return -1;
	}
	/* Whether the file is sorted shows with its first event. */
	r->peeked = reader_read(r);
	if (!r->peeked && PyErr_Occurred()) {
		/* A malformed first line: not sorted as far as we know; iteration reports it. */
		if (!PyErr_ExceptionMatches(read_error))
			return -1;
		PyErr_Fetch(&r->etype, &r->evalue, &r->etb);
	}
	r->sorted = r->peeked && r->peeked->series_idx >= 0;
	return 0;
}

static PyObject *reader_next(ReaderObject *r)
{
	EventObject *e = r->peeked;

	if (r->etype) {
		PyErr_Restore(r->etype, r->evalue, r->etb);
		r->etype = r->evalue = r->etb = NULL;
		return NULL;
	}
	if (e) {
		r->peeked = NULL;
		return (PyObject *)e;
	}
	return (PyObject *)reader_read(r);
}

static PyObject *reader_sorted(ReaderObject *r, PyObject *unused)
{
	return PyBool_FromLong(r->sorted);
}

static PyObject *reader_counts(ReaderObject *r, PyObject *unused)
{
	return Py_BuildValue("(nn)", (Py_ssize_t)rete_reader_events(r->r),
			     (Py_ssize_t)rete_reader_errors(r->r));
}

static PyObject *reader_note(ReaderObject *r, PyObject *unused)
{
	const char *n = rete_reader_take_note(r->r);

	if (!n)
		Py_RETURN_NONE;
	return PyUnicode_FromString(n);
}

static PyMethodDef reader_methods[] = {
	{ "sorted", (PyCFunction)reader_sorted, METH_NOARGS,
	  "Whether the file holds series (written by `rete sort`)." },
	{ "counts", (PyCFunction)reader_counts, METH_NOARGS,
	  "(events read, malformed lines) so far." },
	{ "note", (PyCFunction)reader_note, METH_NOARGS,
	  "A remark about the input (a newer format), once, or None." },
	{ NULL },
};

static PyTypeObject ReaderType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "rete._rete.Reader",
	.tp_basicsize = sizeof(ReaderObject),
	.tp_dealloc = (destructor)reader_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Reader(path): the events of an event file (FILE, FILE.N.. for a rotated set).",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)reader_next,
	.tp_methods = reader_methods,
	.tp_init = (initproc)reader_init,
	.tp_new = PyType_GenericNew,
};

/* ---- module ---- */

static PyObject *mod_schema(PyObject *self, PyObject *unused)
{
	size_t len = 0;
	const char *s = rete_event_schema(&len);

	if (!s)
		return PyErr_NoMemory();
	return PyUnicode_FromStringAndSize(s, (Py_ssize_t)len);
}

static PyMethodDef mod_methods[] = {
	{ "schema", mod_schema, METH_NOARGS,
	  "The JSON Schema of event lines, as `rete schema` prints it." },
	{ NULL },
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "rete._rete",
	.m_doc = "rete's event reader for Python (see the rete module).",
	.m_size = -1,
	.m_methods = mod_methods,
};

PyMODINIT_FUNC PyInit__rete(void);

PyMODINIT_FUNC PyInit__rete(void)
{
	PyObject *m;

	if (PyType_Ready(&EventType) < 0 || PyType_Ready(&ReaderType) < 0)
		return NULL;
	m = PyModule_Create(&module);
	if (!m)
		return NULL;
	read_error = PyErr_NewExceptionWithDoc("rete._rete.ReadError",
					       "A line of an event file that cannot be read "
					       "(file and line in the message); reading goes on "
					       "with the next line.",
					       PyExc_ValueError, NULL);
	Py_INCREF(&ReaderType);
	if (!read_error || PyModule_AddObject(m, "ReadError", read_error) ||
	    PyModule_AddObject(m, "Reader", (PyObject *)&ReaderType)) {
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(read_error);
	return m;
}
