build-clang/src/binary/kallsyms.o: src/binary/kallsyms.c \
  src/binary/kallsyms.h src/util/die.h

src/binary/kallsyms.h:

src/util/die.h:
