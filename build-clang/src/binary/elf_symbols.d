build-clang/src/binary/elf_symbols.o: src/binary/elf_symbols.c \
  src/binary/elf_symbols.h src/util/die.h

src/binary/elf_symbols.h:

src/util/die.h:
