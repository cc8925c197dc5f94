#include <stdio.h>
int main(void) { puts("stylecam: under construction"); return 0; }
