/* read_telegram.c: Telegram Desktop's chat export (result.json).
 *
 * The export is one JSON document. A single chat looks like
 *
 *     {
 *      "name": "Sea crossings",
 *      "type": "public_channel",
 *      "id": 1000000001,
 *      "messages": [
 *       {"id": 1, "type": "service", "date": "2024-03-12T21:15:03",
 *        "actor": "Sea crossings", "action": "create_channel", "text": ""},
 *       {"id": 2, "type": "message", "date": "2024-03-12T21:16:40",
 *        "from": "Captain", "text": ["Boat Friday, write ",
 *        {"type": "mention", "text": "@captain_sea"}, " now"]}
 *      ]
 *     }
 *
 * and a whole-account export nests the same chat objects under
 * "chats": {"list": [...]}. Every element of every "messages" list is one
 * record: its text is the "text" string, or the concatenation of the
 * strings and the entities' "text" in a "text" list (or, without "text",
 * in "text_entities"). Its source carries the chat name (the "name" of the
 * object that holds the list), the message id, date, sender ("from", or
 * "actor" for a service message), the type when it is not "message", the
 * action of a service message, and the targets of text links ("href"),
 * which are not part of the visible text. A message without text (a
 * service message, a photo without caption) is a record with empty text;
 * any missing field is simply absent; a message that is not valid JSON or
 * not an object, or whose "text" has the wrong type, is a record with
 * `error` and the line where the message starts.
 *
 * Exports run to gigabytes, and jansson parses only whole documents with
 * no positions, so the document is not loaded whole: a small scanner walks
 * its structure (strings, escapes, brackets, keys) to cut out each element
 * of a "messages" list as a byte span with its line number, and jansson
 * parses each span on its own. Memory is bounded by the largest message.
 * The scanner does not validate the JSON around the messages; each message
 * is validated by jansson.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "read_internal.h"

/* Longest key compared, and longest chat name kept. */
#define KEY_MAX 16
#define NAME_MAX_BYTES 4096

typedef struct tg_level {
    char  kind;          /* '{' or '[' */
    int   expect_key;    /* object: the next string is a key */
    int   messages;      /* array: the value of a "messages" key */
    char *name;          /* object: its "name", decoded */
} tg_level;

typedef enum { STR_NONE, STR_KEY, STR_NAME, STR_OTHER } string_role;

typedef struct tg_state {
    tg_level   *stack;
    size_t      depth, cap;
    /* strings in the structure */
    int         in_string, escape;
    string_role role;
    strbuf      str;           /* a key or a "name" value being read */
    int         str_overflow;
    char        key[KEY_MAX + 1];   /* the last key read at the top object */
    int         have_key;      /* key read, waiting for ':' */
    char        value_key[KEY_MAX + 1]; /* the key whose value comes next */
    /* the element of a messages list being cut out */
    int         in_messages;   /* the top level is a messages list */
    strbuf      elem;
    size_t      elem_line;
    int         elem_depth;    /* brackets open inside the element */
    const char *chat;          /* the name of the list's chat, or NULL */
    /* the block being scanned */
    const char *block;
    size_t      block_len, block_pos;
    size_t      line;          /* 1-based line of block[block_pos] */
    int         found_messages;
    int         saw_content;   /* anything but white space */
    int         at_end;
} tg_state;

static void push_level(tg_state *st, char kind)
{
    if (st->depth == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->stack = xrealloc(st->stack, st->cap * sizeof *st->stack);
    }
    tg_level *lv = &st->stack[st->depth++];
    memset(lv, 0, sizeof *lv);
    lv->kind = kind;
    lv->expect_key = kind == '{';
}

static tg_level *top(tg_state *st)
{
    return st->depth ? &st->stack[st->depth - 1] : NULL;
}

static void pop_level(tg_state *st)
{
    if (!st->depth) return;
    free(st->stack[st->depth - 1].name);
    st->depth--;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- one message -------------------------------------------------------- */

static void append_text(strbuf *sb, json_t *v, json_t *links)
{
    if (json_is_string(v)) {
        strbuf_append(sb, json_string_value(v), json_string_length(v));
        return;
    }
    if (!json_is_array(v)) return;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (json_is_string(item)) {
            strbuf_append(sb, json_string_value(item), json_string_length(item));
        } else if (json_is_object(item)) {
            json_t *t = json_object_get(item, "text");
            if (json_is_string(t)) strbuf_append(sb, json_string_value(t), json_string_length(t));
            json_t *href = json_object_get(item, "href");
            if (json_is_string(href)) json_array_append(links, href);
        }
    }
}

static void set_if(json_t *o, const char *key, json_t *v)
{
    if (v && !json_is_null(v)) json_object_set(o, key, v);
}

/* Turns the cut-out element into the record. */
static void message_record(ofs_reader *r, tg_state *st, ofs_record *rec)
{
    rd_begin(r, rec, st->elem_line);
    json_error_t err;
    json_t *msg = json_loadb(st->elem.buf, st->elem.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    json_t *src = json_object();
    json_object_set_new(src, "chat", st->chat ? json_string_nocheck(st->chat) : json_null());
    if (!msg) {
        rd_set_source(r, rec, json_dumps(src, JSON_COMPACT | JSON_PRESERVE_ORDER));
        json_decref(src);
        rd_set_error(r, rec, st->elem_line + (size_t)(err.line > 0 ? err.line - 1 : 0),
                     err.column > 0 ? (size_t)err.column : 0, "malformed Telegram message: %s", err.text);
        return;
    }
    if (!json_is_object(msg)) {
        rd_set_source(r, rec, json_dumps(src, JSON_COMPACT | JSON_PRESERVE_ORDER));
        json_decref(src);
        json_decref(msg);
        rd_set_error(r, rec, st->elem_line, 0, "a Telegram message must be a JSON object");
        return;
    }
    json_t *id = json_object_get(msg, "id");
    if (json_is_integer(id) || json_is_string(id) || json_is_real(id)) {
        rd_set_id(r, rec, json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT));
        json_object_set(src, "message_id", id);
    }
    set_if(src, "date", json_object_get(msg, "date"));
    json_t *from = json_object_get(msg, "from");
    if (!json_is_string(from)) from = json_object_get(msg, "actor");
    json_object_set(src, "sender", json_is_string(from) ? from : json_null());
    json_t *type = json_object_get(msg, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "message") != 0) json_object_set(src, "type", type);
    set_if(src, "action", json_object_get(msg, "action"));
    set_if(src, "forwarded_from", json_object_get(msg, "forwarded_from"));
    set_if(src, "reply_to_message_id", json_object_get(msg, "reply_to_message_id"));

    json_t *text = json_object_get(msg, "text");
    if (!text || json_is_null(text)) text = json_object_get(msg, "text_entities");
    json_t *links = json_array();
    strbuf sb = {0};
    int bad_text = text && !json_is_null(text) && !json_is_string(text) && !json_is_array(text);
    if (!bad_text) append_text(&sb, text, links);
    if (json_array_size(links)) json_object_set(src, "links", links);
    json_decref(links);
    rd_set_source(r, rec, json_dumps(src, JSON_COMPACT | JSON_PRESERVE_ORDER));
    json_decref(src);
    json_decref(msg);
    if (bad_text) {
        strbuf_free(&sb);
        rd_set_error(r, rec, st->elem_line, 0, "the message's \"text\" is neither a string nor a list");
        return;
    }
    rd_set_text(r, rec, sb.buf ? sb.buf : "", sb.len);
    strbuf_free(&sb);
}

/* ---- the scanner -------------------------------------------------------- */

/* Ends the element being cut out. Returns 1 when it is a message to hand out. */
static int end_element(tg_state *st)
{
    while (st->elem.len && is_space(st->elem.buf[st->elem.len - 1])) st->elem.len--;
    return st->elem.len > 0;
}

static void string_done(tg_state *st)
{
    tg_level *lv = top(st);
    if (st->role == STR_KEY && !st->str_overflow) {
        memcpy(st->key, st->str.buf ? st->str.buf : "", st->str.len);
        st->key[st->str.len] = '\0';
        st->have_key = 1;
    } else if (st->role == STR_KEY) {
        st->key[0] = '\0';
        st->have_key = 1;
    } else if (st->role == STR_NAME && lv && lv->kind == '{' && !st->str_overflow) {
        strbuf_putc(&st->str, '"');
        json_t *j = json_loadb(st->str.buf, st->str.len, JSON_DECODE_ANY, NULL);
        if (json_is_string(j)) {
            free(lv->name);
            lv->name = xstrdup(json_string_value(j));
        }
        json_decref(j);
    }
    st->role = STR_NONE;
}

/* One byte of the structure outside the messages. */
static void structure_byte(tg_state *st, char c)
{
    tg_level *lv = top(st);
    if (st->in_string) {
        if (st->escape) st->escape = 0;
        else if (c == '\\') st->escape = 1;
        else if (c == '"') {
            st->in_string = 0;
            string_done(st);
            return;
        }
        if (st->role == STR_KEY || st->role == STR_NAME) {
            size_t limit = st->role == STR_KEY ? KEY_MAX : NAME_MAX_BYTES;
            if (st->str.len < limit) strbuf_putc(&st->str, c);
            else st->str_overflow = 1;
        }
        return;
    }
    if (is_space(c)) return;
    st->saw_content = 1;
    switch (c) {
    case '"':
        st->in_string = 1;
        st->str_overflow = 0;
        strbuf_reset(&st->str);
        if (lv && lv->kind == '{' && lv->expect_key) {
            st->role = STR_KEY;
        } else if (lv && lv->kind == '{' && strcmp(st->value_key, "name") == 0) {
            st->role = STR_NAME;
            strbuf_putc(&st->str, '"');
        } else {
            st->role = STR_OTHER;
        }
        break;
    case ':':
        if (lv && lv->kind == '{' && st->have_key) {
            memcpy(st->value_key, st->key, sizeof st->key);
            st->have_key = 0;
            lv->expect_key = 0;
        }
        break;
    case ',':
        if (lv && lv->kind == '{') {
            lv->expect_key = 1;
            st->value_key[0] = '\0';
        }
        break;
    case '{':
        st->value_key[0] = '\0';
        push_level(st, '{');
        break;
    case '[': {
        int messages = lv && lv->kind == '{' && strcmp(st->value_key, "messages") == 0;
        st->value_key[0] = '\0';
        push_level(st, '[');
        if (messages) {
            top(st)->messages = 1;
            st->chat = st->stack[st->depth - 2].name; /* the object that holds the list */
            st->in_messages = 1;
            st->found_messages = 1;
            strbuf_reset(&st->elem);
            st->elem_depth = 0;
        }
        break;
    }
    case '}':
    case ']':
        pop_level(st);
        st->value_key[0] = '\0';
        st->have_key = 0;
        if (top(st) && top(st)->kind == '{') top(st)->expect_key = 0;
        break;
    default:
        break;
    }
}

/* One byte inside a messages list. Returns 1 when an element ended (the
 * element is in st->elem and may be empty). */
static int messages_byte(tg_state *st, char c)
{
    if (st->in_string) {
        strbuf_putc(&st->elem, c);
        if (st->escape) st->escape = 0;
        else if (c == '\\') st->escape = 1;
        else if (c == '"') st->in_string = 0;
        return 0;
    }
    if (st->elem_depth == 0 && (c == ',' || c == ']')) {
        if (c == ']') { /* the list ends */
            st->in_messages = 0;
            pop_level(st);
            st->value_key[0] = '\0';
        }
        return 1;
    }
    if (st->elem.len == 0) {
        if (is_space(c)) return 0;
        st->elem_line = st->line;
    }
    strbuf_putc(&st->elem, c);
    if (c == '"') st->in_string = 1;
    else if (c == '{' || c == '[') st->elem_depth++;
    else if ((c == '}' || c == ']') && st->elem_depth > 0) st->elem_depth--;
    return 0;
}

static int telegram_next(ofs_reader *r, ofs_record *rec)
{
    tg_state *st = r->state;
    for (;;) {
        if (st->block_pos == st->block_len) {
            if (st->at_end) return 0;
            int rc = rd_block(r, &st->block, &st->block_len);
            if (rc < 0) return -1;
            st->block_pos = 0;
            if (rc == 0) {
                st->at_end = 1;
                st->block_len = 0;
                if (st->in_messages && end_element(st)) {
                    message_record(r, st, rec);
                    size_t line = rec->line;
                    rd_set_error(r, rec, line, 0, "the file ends inside this message (a truncated export?)");
                    strbuf_reset(&st->elem);
                    return 1;
                }
                if (!st->found_messages && st->saw_content) {
                    diag_add(r->diags, OFS_ERROR, r->name, 0, 0,
                             "no \"messages\" list: not a Telegram Desktop chat export (result.json)");
                    return -1;
                }
                return 0;
            }
        }
        while (st->block_pos < st->block_len) {
            char c = st->block[st->block_pos++];
            int ended = 0;
            if (st->in_messages) ended = messages_byte(st, c);
            else structure_byte(st, c);
            if (c == '\n') st->line++;
            if (ended) {
                int has = end_element(st);
                if (has) {
                    message_record(r, st, rec);
                    strbuf_reset(&st->elem);
                    return 1;
                }
                if (c == ',') { /* "[," or ",,": an element is missing */
                    rd_begin(r, rec, st->line);
                    rd_set_error(r, rec, st->line, 0, "an empty element in the \"messages\" list");
                    return 1;
                }
            }
        }
    }
}

static int telegram_open(ofs_reader *r)
{
    tg_state *st = xcalloc(1, sizeof *st);
    st->line = 1;
    r->state = st;
    return 0;
}

static void telegram_close(ofs_reader *r)
{
    tg_state *st = r->state;
    if (!st) return;
    while (st->depth) pop_level(st);
    free(st->stack);
    strbuf_free(&st->str);
    strbuf_free(&st->elem);
    free(st);
    r->state = NULL;
}

const reader_format read_telegram_format = {"telegram", telegram_open, telegram_next, telegram_close, NULL, NULL};
