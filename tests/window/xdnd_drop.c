/* xdnd_drop WINDOW FILE: drops FILE on the X11 window WINDOW (an id, as
 * xdotool search prints it) the way a file manager does, through the XDND
 * protocol (version 5): the target must be XdndAware; the source sends
 * XdndEnter, XdndPosition (the window's centre), waits for XdndStatus,
 * sends XdndDrop, answers the target's SelectionRequest for XdndSelection
 * with text/uri-list "file:///...", and waits for XdndFinished. Exit 0 when
 * the target accepted and finished, 1 otherwise (with a sentence why).
 * No tool on the test machine does this (xdotool has no drag and drop). */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static Display *dpy;
static Atom a_aware, a_enter, a_position, a_status, a_drop, a_finished, a_selection,
    a_uri_list, a_copy;

static int die(const char *msg)
{
    fprintf(stderr, "xdnd_drop: %s\n", msg);
    return 1;
}

static void send_msg(Window target, Atom type, long l0, long l1, long l2, long l3, long l4)
{
    XEvent e = {0};
    e.xclient.type = ClientMessage;
    e.xclient.display = dpy;
    e.xclient.window = target;
    e.xclient.message_type = type;
    e.xclient.format = 32;
    long d[5] = {l0, l1, l2, l3, l4};
    for (int i = 0; i < 5; i++)
        e.xclient.data.l[i] = d[i];
    XSendEvent(dpy, target, False, NoEventMask, &e);
    XFlush(dpy);
}

/* The XDND version the target speaks, or 0 when it is not XdndAware. */
static int aware_version(Window w)
{
    Atom type;
    int format;
    unsigned long n, after;
    unsigned char *data = NULL;
    int v = 0;
    if (XGetWindowProperty(dpy, w, a_aware, 0, 1, False, AnyPropertyType, &type, &format, &n,
                           &after, &data) == Success && data && n == 1)
        v = (int)*(Atom *)data;
    if (data)
        XFree(data);
    return v;
}

/* file:// URI with every byte outside the unreserved set and '/' escaped. */
static void make_uri(const char *path, char *out, size_t n)
{
    size_t o = (size_t)snprintf(out, n, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
    }
    snprintf(out + o, n - o, "\r\n");
}

static void answer_request(const XSelectionRequestEvent *r, const char *uri)
{
    XEvent reply = {0};
    reply.xselection.type = SelectionNotify;
    reply.xselection.display = dpy;
    reply.xselection.requestor = r->requestor;
    reply.xselection.selection = r->selection;
    reply.xselection.target = r->target;
    reply.xselection.time = r->time;
    reply.xselection.property = None;
    if (r->selection == a_selection && r->target == a_uri_list) {
        Atom prop = r->property != None ? r->property : r->target;
        XChangeProperty(dpy, r->requestor, prop, a_uri_list, 8, PropModeReplace,
                        (const unsigned char *)uri, (int)strlen(uri));
        reply.xselection.property = prop;
    }
    XSendEvent(dpy, r->requestor, False, NoEventMask, &reply);
    XFlush(dpy);
}

/* The next event, or 0 after 10 s. */
static int next_event(XEvent *e)
{
    time_t end = time(NULL) + 10;
    while (!XPending(dpy)) {
        if (time(NULL) > end)
            return 0;
        int fd = ConnectionNumber(dpy);
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        struct timeval tv = {0, 100000};
        select(fd + 1, &set, NULL, NULL, &tv);
    }
    XNextEvent(dpy, e);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return die("usage: xdnd_drop WINDOW FILE");
    if (!(dpy = XOpenDisplay(NULL)))
        return die("cannot open the display (DISPLAY unset?)");
    Window target = (Window)strtoul(argv[1], NULL, 0);
    char uri[8192];
    make_uri(argv[2], uri, sizeof uri);
    a_aware = XInternAtom(dpy, "XdndAware", False);
    a_enter = XInternAtom(dpy, "XdndEnter", False);
    a_position = XInternAtom(dpy, "XdndPosition", False);
    a_status = XInternAtom(dpy, "XdndStatus", False);
    a_drop = XInternAtom(dpy, "XdndDrop", False);
    a_finished = XInternAtom(dpy, "XdndFinished", False);
    a_selection = XInternAtom(dpy, "XdndSelection", False);
    a_uri_list = XInternAtom(dpy, "text/uri-list", False);
    a_copy = XInternAtom(dpy, "XdndActionCopy", False);
    int version = aware_version(target);
    if (!version)
        return die("the window is not XdndAware: it takes no drops");
    if (version > 5)
        version = 5;
    Window src = XCreateSimpleWindow(dpy, DefaultRootWindow(dpy), 0, 0, 1, 1, 0, 0, 0);
    XSelectInput(dpy, src, PropertyChangeMask);
    XSetSelectionOwner(dpy, a_selection, src, CurrentTime);
    XWindowAttributes wa;
    XGetWindowAttributes(dpy, target, &wa);
    int rx, ry;
    Window child;
    XTranslateCoordinates(dpy, target, DefaultRootWindow(dpy), wa.width / 2, wa.height / 2,
                          &rx, &ry, &child);
    send_msg(target, a_enter, (long)src, (long)version << 24, (long)a_uri_list, 0, 0);
    send_msg(target, a_position, (long)src, 0, (long)rx << 16 | ry, CurrentTime, (long)a_copy);
    int accepted = -1, finished = 0;
    XEvent e;
    while (!finished && next_event(&e)) {
        if (e.type == SelectionRequest) {
            answer_request(&e.xselectionrequest, uri);
        } else if (e.type == ClientMessage && e.xclient.message_type == a_status &&
                   accepted < 0) {
            accepted = (int)(e.xclient.data.l[1] & 1);
            if (!accepted)
                break;
            send_msg(target, a_drop, (long)src, 0, CurrentTime, 0, 0);
        } else if (e.type == ClientMessage && e.xclient.message_type == a_finished) {
            finished = 1;
        }
    }
    XDestroyWindow(dpy, src);
    XCloseDisplay(dpy);
    if (accepted <= 0)
        return die(accepted < 0 ? "no XdndStatus from the window" : "the window refused "
                   "the drop");
    if (!finished)
        return die("no XdndFinished from the window");
    printf("dropped %s", uri);
    return 0;
}
