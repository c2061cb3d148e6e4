#include <iostream>
using namespace std;
int main() {
    long long a, b, c;
    cin >> a >> b >> c;
    bool ok = a + b > c && a + c > b && b + c > a;
    cout << (ok ? "Yes" : "No") << "\n";
    return 0;
}
