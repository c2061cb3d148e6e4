// Deliberately WRONG: uses int, so a + b overflows when |a + b| > 2^31 - 1.
#include <iostream>
using namespace std;
int main() {
    int a, b;
    cin >> a >> b;
    cout << a + b << "\n";
    return 0;
}
